package intent

import "strings"

// definitional reports whether an utterance asks what a term means ("what
// is EWR?", "what does RFM stand for", "what's a dormant customer?", "EWR이
// 뭐예요?", "휴면 고객 뜻") rather than asking for numbers about it ("what
// is the EWR at Hongdae today?"). Such a question is answered from the
// documents when the term is the bakery's, and is out of scope otherwise
// ("what is quantum computing?").
//
// The cue is kept narrow: a short term, no store, product, date, amount or
// member (those ask about something, not what a word means).
func definitional(d *doc) bool {
	for _, s := range d.spans {
		switch s.kind {
		case spanStore, spanProduct, spanDate, spanRelDate, spanMoney, spanMember, spanDays, spanPercent, spanCategory:
			return false
		}
	}
	var words []string
	for _, f := range strings.Fields(d.text) {
		if f = strings.Trim(f, ".,-/:&+#"); f != "" {
			words = append(words, f)
		}
	}
	words = trimLeadIn(words)
	if len(words) > 0 && len(words) <= 14 && coversKO(strings.Join(words, "")) {
		return true
	}
	if len(words) == 0 || len(words) > 10 {
		return false
	}
	if definitionalEN(words) {
		return true
	}
	return definitionalKO(words)
}

// leadIns open a question without being part of it: "please what is EWR",
// "can you tell me what RFM means", "혹시 EWR이 뭐예요?".
var leadIns = [][]string{
	{"can", "you", "tell", "me"}, {"could", "you", "tell", "me"}, {"do", "you", "know"}, {"i", "want", "to", "know"},
	{"i", "need", "to", "know"}, {"tell", "me"}, {"please"}, {"pls"}, {"hey"}, {"hi"}, {"crumb"}, {"so"}, {"ok"}, {"okay"},
	{"혹시"}, {"저기"}, {"크럼"}, {"그럼"}, {"근데"},
}

func trimLeadIn(w []string) []string {
	for again := true; again; {
		again = false
		for _, l := range leadIns {
			if len(w) > len(l) && strings.EqualFold(strings.Join(w[:len(l)], " "), strings.Join(l, " ")) {
				w, again = w[len(l):], true
			}
		}
	}
	return w
}

// defNotTerm are words that, opening the term of "what is …", make it a
// request about a particular thing ("what is the forecast", "what's our
// EWR today") rather than a question about a word.
var defNotTerm = map[string]bool{
	"the": true, "our": true, "my": true, "your": true, "this": true, "that": true, "today": true, "todays": true,
	"tomorrow": true, "tonight": true, "next": true, "current": true, "best": true, "most": true, "up": true,
	"going": true, "left": true, "new": true, "there": true, "it": true, "happening": true, "on": true, "in": true,
}

func definitionalEN(w []string) bool {
	s := " " + strings.Join(w, " ") + " "
	for _, c := range []string{" stand for ", " stands for ", " meaning of ", " difference between ", " is meant by ", " do you mean by ", " mean by "} {
		if strings.Contains(s, c) {
			return true
		}
	}
	if w[0] == "define" || (len(w) <= 4 && (w[len(w)-1] == "meaning" || w[len(w)-1] == "definition")) {
		return true
	}
	// what does X mean
	if len(w) >= 4 && w[0] == "what" && (w[1] == "does" || w[1] == "do") && (w[len(w)-1] == "mean" || w[len(w)-1] == "means") {
		return true
	}
	// what is (a) X, with X one to three words
	var rest []string
	switch {
	case len(w) >= 3 && w[0] == "what" && (w[1] == "is" || w[1] == "s" || w[1] == "are"):
		rest = w[2:]
	case len(w) >= 2 && (w[0] == "whats" || w[0] == "wats"):
		rest = w[1:]
	default:
		return false
	}
	if len(rest) > 0 && (rest[0] == "a" || rest[0] == "an") {
		rest = rest[1:]
	}
	if len(rest) == 0 || len(rest) > 3 || defNotTerm[rest[0]] {
		return false
	}
	for _, r := range rest {
		if r == "like" || r == "for" || r == "at" || r == "in" || r == "on" || r == "by" || r == "of" {
			return false
		}
	}
	return true
}

// koDefEndings end a Korean "what is X" question.
var koDefEndings = []string{"무엇인가요", "무엇인지", "무엇이야", "무엇이에요", "뭐예요", "뭐에요", "뭔가요", "뭐야", "뭐지", "뭐죠", "뭐임", "뭔데", "뭐니", "뭐냐"}

func definitionalKO(w []string) bool {
	joined := strings.Join(w, "")
	if len(w) <= 5 && (strings.Contains(joined, "뜻") || strings.Contains(joined, "의미가") || strings.Contains(joined, "의미는") || strings.Contains(joined, "무슨의미") || strings.HasSuffix(joined, "의미") ||
		strings.HasSuffix(joined, "정의") || strings.Contains(joined, "정의가") || strings.Contains(joined, "정의는")) {
		return true
	}
	// X란? X이란 뭐야
	last := w[len(w)-1]
	if len(w) <= 3 && (strings.HasSuffix(last, "이란") || (strings.HasSuffix(last, "란") && len([]rune(last)) >= 3)) {
		return true
	}
	// X이/가/은/는 뭐야, with X one or two words
	for _, e := range koDefEndings {
		if !strings.HasSuffix(joined, e) {
			continue
		}
		var term []string
		if last == e {
			term = w[:len(w)-1]
		} else {
			term = append(w[:len(w)-1:len(w)-1], strings.TrimSuffix(last, e))
		}
		if len(term) == 0 || len(term) > 2 {
			return false
		}
		t := term[len(term)-1]
		for _, p := range []string{"이", "가", "은", "는", "란", "이란"} {
			if strings.HasSuffix(t, p) && len([]rune(t)) > 1 {
				return true
			}
		}
		return false
	}
	return false
}

// coversKO reports a Korean question about what a term covers, asked
// without 뭐야 and often at length: "휴면 고객이라는 게 몇 달 안 온 사람을
// 말하는 거예요", "VIP는 몇 번 사야 해당돼요?".
func coversKO(joined string) bool {
	for _, c := range []string{"라는게", "라는건", "라는것", "말하는거", "말하는건", "부터해당"} {
		if strings.Contains(joined, c) {
			return true
		}
	}
	for _, e := range []string{"해당돼", "해당돼요", "해당되나", "해당되나요", "해당되는거야", "해당되는거예요"} {
		if strings.HasSuffix(joined, e) {
			return true
		}
	}
	return false
}

// capability reports whether an utterance asks what the bot can do rather
// than asking it to do it: "can you send pushes or only write them?",
// "너 폐기 예측도 해?", "이걸로 문자 보내는 것까지 되는 거예요?".
func capability(d *doc) bool {
	words := trimLeadIn(strings.Fields(d.text))
	if len(words) == 0 || len(words) > 14 {
		return false
	}
	s := " " + strings.Join(words, " ") + " "
	if (strings.HasPrefix(s, " can you ") || strings.HasPrefix(s, " do you ") || strings.HasPrefix(s, " are you able ") || strings.HasPrefix(s, " is it possible ")) &&
		(strings.Contains(s, " or only ") || strings.Contains(s, " or just ")) {
		return true
	}
	joined := strings.Join(words, "")
	you := words[0] == "너" || words[0] == "니가" || words[0] == "네가" || strings.HasPrefix(joined, "너는") || strings.HasPrefix(joined, "이걸로") || strings.HasPrefix(joined, "여기서")
	if you {
		for _, e := range []string{"도해", "도해요", "도돼", "도돼요", "도되나", "도되나요", "도할수있어", "도할수있나요", "도가능해", "도가능해요", "도가능"} {
			if strings.HasSuffix(joined, e) {
				return true
			}
		}
	}
	for _, c := range []string{"까지되는거", "까지돼", "까지되나", "까지가능", "까지해줘요", "까지해주나"} {
		if strings.Contains(joined, c) {
			return true
		}
	}
	return false
}

// permission reports whether an utterance asks whether something may be
// said or done ("can we say 'best' in a push?", "is 'free' allowed in
// copy?", "무료라는 말 써도 돼?"): a question about the rules, not a request
// to write it.
func permission(d *doc) bool {
	s := " " + strings.Join(strings.Fields(d.text), " ") + " "
	for _, c := range []string{" can we say ", " can we use ", " can we write ", " can i say ", " can i use ", " are we allowed ", " am i allowed ",
		" is it ok to ", " is it okay to ", " ok to say ", " okay to say ", " allowed in ", " allowed to ", " permitted in "} {
		if strings.Contains(s, c) {
			return true
		}
	}
	joined := strings.ReplaceAll(s, " ", "")
	for _, c := range []string{"써도돼", "써도되", "넣어도돼", "넣어도되", "사용해도돼", "사용해도되", "표현해도", "말해도돼", "말해도되", "해도되는표현", "써도괜찮"} {
		if strings.Contains(joined, c) {
			return true
		}
	}
	return false
}
