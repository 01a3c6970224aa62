package intent

// fillers are the words of a follow-up that carry no request of their own:
// "and for tomorrow?", "what about Hongdae", "그럼 VIP는?", "그 중에 케이크만".
var fillers = map[string]bool{
	"and": true, "what": true, "whats": true, "about": true, "how": true, "then": true, "also": true, "same": true, "for": true,
	"only": true, "just": true, "instead": true, "ok": true, "okay": true, "so": true, "but": true, "now": true, "too": true,
	"the": true, "one": true, "ones": true, "those": true, "them": true, "that": true, "it": true, "there": true, "in": true,
	"at": true, "on": true, "please": true, "again": true, "s": true, "is": true, "are": true, "do": true, "does": true, "of": true,
	"show": true, "tell": true, "give": true, "me": true, "english": true, "korean": true, "case": true, "with": true, "if": true,
	"그럼": true, "그러면": true, "그리고": true, "그건": true, "그거": true, "그": true, "중": true, "중에": true, "거기": true,
	"거기서": true, "이번엔": true, "이번에는": true, "또": true, "도": true, "은": true, "는": true, "만": true, "요": true, "이": true, "가": true,
	"어때": true, "어때요": true, "어떻게": true, "어떤데": true, "는요": true, "은요": true, "뭐야": true, "알려줘": true, "보여줘": true,
	"해줘": true, "줘": true, "봐": true, "말해줘": true, "영어로": true, "한국어로": true, "영어": true, "한국어": true, "기준": true,
	"경우": true, "경우엔": true, "좀": true, "다시": true, "만요": true, "으로": true, "로": true, "에서": true, "에": true, "것": true,
	// "100만원이면?", "내일이라면?"
	"이면": true, "면": true, "라면": true, "이라면": true, "이면요": true, "으론": true, "으로는": true, "로는": true, "말고": true,
}

// openers start a follow-up even when a word or two of request follow.
var openers = map[string]bool{"and": true, "then": true, "also": true, "그럼": true, "그러면": true, "그리고": true, "instead": true}

// isFollowup reports whether the utterance in d continues prev: once its
// slots are taken away nothing but fillers is left ("and tomorrow?",
// "강남점은?"), or it opens like a follow-up and the fast path found no
// intent of its own.
func (c *Classifier) isFollowup(d *doc, res *Result, prev *Result) bool {
	switch prev.Intent {
	case "", OutOfScope, Help:
		return false
	}
	content, opener := 0, false
	for i, u := range d.residual() {
		w := u.text
		switch u.kind {
		case scriptHangul:
			if !fillers[w] {
				w = stemKO(w)
			}
		case scriptDigit:
			content++
			continue
		}
		if fillers[w] {
			if i == 0 && openers[w] {
				opener = true
			}
			continue
		}
		if u.kind == scriptLatin && stopwords[w] {
			continue
		}
		content++
	}
	if content == 0 {
		return len(d.spans) > 0 || opener
	}
	return opener && content <= 2 && res.Confidence < 0.5
}

// backrefs are the words by which an utterance points at the previous turn: "그 이벤트",
// "그거", "방금 거", "that event", "the same stores".
var backrefs = map[string]bool{
	"그": true, "그거": true, "그걸": true, "그걸로": true, "그것": true, "이": true, "이거": true, "이걸": true, "이걸로": true, "이것": true,
	"방금": true, "해당": true, "위": true, "같은": true, "그들": true, "그분들": true,
	"that": true, "this": true, "it": true, "them": true, "they": true, "those": true, "these": true, "same": true, "above": true,
}

// refersBack reports whether the utterance in d, which asks for something of its own, points
// at the previous turn with a demonstrative or opens like a follow-up ("그럼 푸시 문구도 써줘").
func refersBack(d *doc, prev *Result) bool {
	switch prev.Intent {
	case "", OutOfScope, Help:
		return false
	}
	for i, u := range d.residual() {
		if backrefs[u.text] || (i == 0 && openers[u.text]) {
			return true
		}
	}
	return false
}
