package server

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeBody parses a /recommend body into in the way json.Decoder with DisallowUnknownFields
// does, followed by a check that no second value follows.
//
// Nearly every body is the plain form crumb-edge's callers send — the seven keys in lower
// case, once each, strings without escapes, integers, arrays of strings — and that form is
// parsed directly (parsePlain): encoding/json's reflection, its decoder buffers and scanner were
// the largest part of the handler apart from the model. Anything else (escapes, null, floats,
// other spellings of the keys, repeated keys, errors) goes through encoding/json, so the
// answers and the error messages stay exactly its own; FuzzDecodeRequest holds the two equal.
func decodeBody(body []byte, in *Request) (more bool, err error) {
	if parsePlain(body, in) {
		return false, nil
	}
	*in = Request{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		return false, err
	}
	return dec.More(), nil
}

// plain is a cursor over a body in the plain form.
type plain struct {
	b []byte
	i int
}

func (p *plain) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *plain) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters, in valid UTF-8.
func (p *plain) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	ascii := true
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// integer reads -?(0|[1-9][0-9]*) of at most 15 digits (no fraction, no exponent).
func (p *plain) integer() (int, bool) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	if n == 0 || n > 15 || (n > 1 && p.b[digits] == '0') {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	v, err := strconv.Atoi(string(p.b[start:p.i]))
	return v, err == nil
}

// strings reads an array of plain strings; [] is an empty, non-nil slice, as encoding/json
// makes it.
func (p *plain) strings() ([]string, bool) {
	if !p.eat('[') {
		return nil, false
	}
	out := []string{}
	if p.eat(']') {
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, string(s))
		if p.eat(']') {
			return out, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// parsePlain parses body into in when body is in the plain form, and reports whether it was.
// When it is not, in may be half filled.
func parsePlain(body []byte, in *Request) bool {
	p := plain{b: body}
	if !p.eat('{') {
		return false
	}
	var seen uint8
	if !p.eat('}') {
		for {
			key, ok := p.str()
			if !ok || !p.eat(':') {
				return false
			}
			var bit uint8
			switch string(key) {
			case "user_id":
				bit = 1
				s, ok := p.str()
				if !ok {
					return false
				}
				id := string(s)
				in.UserID = &id
			case "gender", "age", "k":
				v, ok := p.integer()
				if !ok {
					return false
				}
				switch key[0] {
				case 'g':
					bit, in.Gender = 2, &v
				case 'a':
					bit, in.Age = 4, &v
				default:
					bit, in.K = 8, v
				}
			case "cart", "cart_items", "wishlist":
				l, ok := p.strings()
				if !ok {
					return false
				}
				switch string(key) {
				case "cart":
					bit, in.Cart = 16, l
				case "cart_items":
					bit, in.CartItems = 32, l
				default:
					bit, in.Wishlist = 64, l
				}
			default:
				return false
			}
			if seen&bit != 0 {
				return false // a repeated key: encoding/json's rules for it
			}
			seen |= bit
			if p.eat('}') {
				break
			}
			if !p.eat(',') {
				return false
			}
		}
	}
	p.ws()
	return p.i == len(p.b)
}
