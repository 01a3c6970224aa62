package intent

import (
	"strings"
	"unicode/utf8"
)

// concepts map Korean and English words, and their synonyms, to one shared
// feature, so that a Korean example teaches the English question and
// "compute" is taken for "calculate". English words are matched by stem,
// Korean ones inside a word (폐기율 holds 폐기). The lexicon is the
// bakery's domain, plus the topics people most often ask an assistant
// that are not (weather, markets).
var concepts = map[string][]string{
	"waste":    {"폐기", "버려질", "버릴", "버리게", "버려", "못팔", "안팔", "남을", "waste", "wastage", "discard", "spoil", "unsold", "leftover", "throw", "ewr", "로스", "잔량", "잔여", "떨이", "털어", "남는", "toss", "bin", "dispose", "웨이스트", "버리는", "버린"},
	"stock":    {"재고", "품절", "매진", "남은", "남아", "inventory", "on-hand", "다팔렸", "팔렸어", "남았"},
	"sell":     {"판매", "팔릴", "팔려", "팔리", "매출", "sell", "sold", "sale", "revenue"},
	"predict":  {"예측", "예상", "전망", "forecast", "predict", "prediction", "projected", "projection", "outlook", "expect"},
	"demand":   {"수요", "생산량", "구워", "demand", "bake", "production", "발주", "생산", "준비할", "produce", "prep"},
	"price":    {"가격", "얼마", "price", "cost", "priced"},
	"allergen": {"알레르기", "알러지", "난류", "계란", "달걀", "메밀", "땅콩", "대두", "견과", "호두", "잣", "밀가루", "유제품", "allergen", "allergy", "allergic", "nut", "nuts", "peanut", "egg", "wheat", "soy", "dairy", "gluten", "sesame"},
	"shelf":    {"유통기한", "보관", "shelf", "expiry", "expiration", "keep"},
	"ingredient": {"재료", "원재료", "성분", "들어간", "ingredient", "contain", "made", "설탕", "버터", "술", "sugar", "butter", "alcohol",
		"비건", "채식", "칼로리", "열량", "vegan", "vegetarian", "calorie", "kcal"},
	"menu":      {"메뉴", "종류", "menu", "kind", "variety", "range"},
	"segment":   {"세그먼트", "고객군", "등급", "segment", "segmentation", "tier", "rfm"},
	"discount":  {"할인", "세일", "디스카운트", "마감세일", "discount", "markdown", "clearance"},
	"product":   {"상품", "제품", "품목", "product", "item", "빵", "케이크", "디저트", "음료", "쿠키", "베이커리", "샌드위치", "bread", "pastry", "cake", "dessert", "cookie", "drink", "beverage", "loaf", "sandwich", "bun", "bakery", "sku"},
	"store":     {"매장", "점포", "지점", "store", "shop", "branch", "outlet"},
	"customer":  {"고객", "회원", "손님", "customer", "member", "client", "shopper", "단골", "고객층", "spender", "buyer", "visitor"},
	"churn":     {"이탈", "떠날", "발길", "churn", "churner", "churned", "attrition", "lapse", "lapsed"},
	"recommend": {"추천", "권할", "권해", "권하", "recommend", "recommendation", "suggest", "suggestion", "pick"},
	// Upselling and cross-selling are the bakery's, unlike a recommendation
	// ("recommend a movie"): a domain concept of their own.
	"upsell": {"업셀", "크로스셀", "upsell", "upselling", "cross-sell", "crosssell", "cross-selling", "add-on", "번들", "bundle"},
	"pair":   {"어울리", "같이", "함께", "pair", "together", "combo", "complement"},
	"event":  {"이벤트", "행사", "프로모션", "event", "promotion", "campaign", "판촉", "경품", "기념", "축제", "캠페인", "시식", "celebrate", "festival", "contest", "giveaway", "tasting"},
	"plan":   {"기획", "계획", "아이디어", "플랜", "plan", "idea", "organise", "organize", "design"},
	"budget": {"예산", "budget"},
	"push":   {"푸시", "알림", "메시지", "문자", "알림톡", "카톡", "push", "notification", "message", "alert", "sms", "멘트", "안내문", "kakao", "blast"},
	"copy":   {"문구", "카피", "헤드라인", "초안", "광고", "copy", "headline", "draft", "wording", "copywriting", "ad", "advert", "advertising", "slogan"},
	"policy": {"정책", "규정", "규칙", "가이드", "환불", "반품", "policy", "rule", "guideline", "guide", "refund", "매뉴얼", "메뉴얼", "절차", "혜택", "manual", "handbook", "sop", "procedure", "benefit", "perk",
		"문서", "document", "documentation", "docs", "wiki"},
	"coupon":    {"쿠폰", "coupon", "voucher"},
	"define":    {"정의", "기준", "define", "definition", "criteria", "criterion", "판정", "조건", "qualify"},
	"calculate": {"계산", "공식", "산출", "산식", "calculate", "calculation", "compute", "formula", "산정", "계산식", "computed"},
	"hours":     {"영업시간", "영업", "hours", "open", "close"},
	"address":   {"주소", "위치", "address", "location", "located", "directions"},
	// A phone number is the business's only with a store ("which phone
	// should I buy" is not): not a domain concept.
	"phone":  {"전화", "연락처", "phone", "contact"},
	"banned": {"금지", "허용", "써도", "banned", "ban", "forbidden", "prohibited", "allowed", "permitted", "표현", "expression", "off-limits"},
	"brand":  {"브랜드", "톤", "말투", "보이스", "brand", "tone", "voice"},
	"help": {"도움", "도와", "사용법", "기능", "help", "feature", "capability", "usage", "할수있", "할줄", "봇", "명령어", "쓰는법", "bot", "capable", "able", "command", "tutorial", "started", "온보딩", "사용방법", "쓰는방법", "onboarding", "overview", "tour", "walkthrough",
		// How the bot's answers come: asking for them is asking about the bot.
		"대시보드", "차트", "그래프", "도표", "다운로드", "내보내기", "dashboard", "chart", "graph", "csv", "json", "export", "download"},
	"cluster": {"군집", "클러스터", "비슷한", "유사", "그룹핑", "묶어", "묶으", "묶기", "cluster", "similar", "alike", "grouping"},
	"weather": {"날씨", "기온", "우산", "미세먼지", "weather", "rain", "snow", "temperature", "umbrella", "sunny"},
	"markets": {"주가", "주식", "코인", "비트코인", "환율", "증시", "코스피", "market", "stockmarket", "shareprice", "shares", "crypto", "bitcoin", "kospi", "nasdaq", "exchange", "invest",
		"테슬라", "엔비디아", "삼성전자", "tesla", "nvidia", "dow"},
	"fun": {"농담", "웃긴", "재밌는", "joke", "funny", "poem", "song", "story"},
	// Other brands' shops, cafés and chains: what they sell or do is not ours to answer
	// ("파바 케이크 몇시까지 팔아?", "is dunkin open late").
	"rival": {"파리바게뜨", "파리바게트", "파바", "뚜레쥬르", "뚜쥬", "성심당", "스타벅스", "스벅", "투썸", "이디야", "메가커피", "빽다방", "컴포즈", "던킨", "크리스피크림", "배스킨", "베스킨", "코스트코", "이마트", "맥도날드", "버거킹",
		"starbucks", "dunkin", "twosome", "ediya", "costco", "krispy", "mcdonald", "mcdonalds", "baskin", "tims", "paris"},
}

// domainConcepts are the concepts that anchor an utterance in the bakery's
// business; "recommend", "plan" or "how is it defined" alone do not (a
// movie is recommended, a vacation planned).
var domainConcepts = map[string]bool{
	"waste": true, "stock": true, "sell": true, "demand": true, "price": true, "allergen": true, "shelf": true,
	"ingredient": true, "menu": true, "segment": true, "customer": true, "churn": true, "upsell": true, "event": true, "budget": true,
	"push": true, "copy": true, "coupon": true, "banned": true, "brand": true, "cluster": true, "store": true,
	"product": true, "discount": true, "predict": true, "policy": true, "hours": true, "address": true,
}

// conceptLexicon indexes concepts: English stems, and Korean keys.
type conceptLexicon struct {
	en    map[string]string
	words map[string]bool // the English words as written
	ko    []struct{ key, concept string }
	// byFirst indexes ko by the first syllable of the key, so that a text
	// is scanned once rather than once per key.
	byFirst map[rune][]int
}

func newConceptLexicon() *conceptLexicon {
	l := &conceptLexicon{en: map[string]string{}, words: map[string]bool{}}
	for _, c := range sortedKeys(concepts) {
		for _, w := range concepts[c] {
			if strings.IndexFunc(w, isHangul) >= 0 {
				l.ko = append(l.ko, struct{ key, concept string }{w, c})
			} else {
				l.en[stemEN(strings.ReplaceAll(w, "-", ""))] = c
				if !strings.ContainsAny(w, "- ") {
					l.words[w] = true
				}
			}
		}
	}
	l.byFirst = map[rune][]int{}
	for i, k := range l.ko {
		r, _ := utf8.DecodeRuneInString(k.key)
		l.byFirst[r] = append(l.byFirst[r], i)
	}
	return l
}

var lexicon = newConceptLexicon()

// conceptsOf calls f with the concept of an English stem.
func (l *conceptLexicon) conceptOf(stem string) (string, bool) {
	c, ok := l.en[stem]
	return c, ok
}

// conceptsKO calls f with the concept of each Korean key in the Hangul
// text (spaces removed, so that 못 팔 holds 못팔).
func (l *conceptLexicon) conceptsKO(hangul string, f func(string)) {
	// Which keys occur, found from the syllables of the text, then f for
	// each in the lexicon's order: the same calls as testing every key.
	const maxKeys = 1024
	var found [maxKeys / 64]uint64
	hit := false
	for i, r := range hangul {
		for _, ki := range l.byFirst[r] {
			if ki < maxKeys && strings.HasPrefix(hangul[i:], l.ko[ki].key) {
				found[ki/64] |= 1 << (ki % 64)
				hit = true
			}
		}
	}
	if !hit {
		return
	}
	for ki, k := range l.ko {
		if ki >= maxKeys {
			if containsKO(hangul, k.key) {
				f(k.concept)
			}
			continue
		}
		if found[ki/64]&(1<<(ki%64)) == 0 {
			continue
		}
		if _, ok := askedAbout[k.key]; ok && !containsKO(hangul, k.key) {
			continue
		}
		f(k.concept)
	}
}

// askedAbout lists, for a Korean key that is also used as a preposition,
// what may follow it when it is what is asked about: 기준 is a criterion in
// "VIP 기준이 뭐야" and "등급 기준", but only a basis in "EWR 기준으로 위험
// 품목" and "EWR 기준 위험 품목".
var askedAbout = map[string][]string{
	"기준": {"이", "은", "는", "가", "뭐", "알려", "어떻게", "좀", "정리", "설명", "?"},
}

// containsKO reports whether key occurs in the Hangul text (spaces
// removed) as the thing asked about.
func containsKO(hangul, key string) bool {
	follow, ok := askedAbout[key]
	if !ok {
		return strings.Contains(hangul, key)
	}
	for rest := hangul; ; {
		i := strings.Index(rest, key)
		if i < 0 {
			return false
		}
		rest = rest[i+len(key):]
		if rest == "" {
			return true
		}
		for _, p := range follow {
			if strings.HasPrefix(rest, p) {
				return true
			}
		}
	}
}

// rivalNamed reports whether the utterance names another brand (the lexicon's "rival" concept).
func rivalNamed(units []unit) bool {
	found := false
	lexicon.conceptsKO(squashHangul(units), func(c string) { found = found || c == "rival" })
	for _, u := range units {
		if c, ok := lexicon.conceptOf(stemEN(u.text)); ok && c == "rival" && u.kind == scriptLatin {
			found = true
		}
	}
	return found
}
