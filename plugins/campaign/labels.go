package main

import (
	"strings"
	"time"
)

// Words for seasons, occasions, purposes, industries and trade areas: the
// keys the past-event corpus uses (knowledge/docs/events), with Korean and
// English labels.

var seasonLabels = map[string][2]string{
	"spring": {"봄", "spring"}, "summer": {"여름", "summer"}, "autumn": {"가을", "autumn"}, "winter": {"겨울", "winter"},
}

// occasions: key → season, Korean and English labels, and the words that
// name it.
var occasions = []struct {
	key, season, ko, en string
	words               []string
}{
	{"christmas", "winter", "크리스마스", "Christmas", []string{"크리스마스", "성탄", "christmas", "xmas", "x-mas"}},
	{"new_year", "winter", "연말연시", "New Year", []string{"연말", "새해", "신년", "new year", "newyear", "year-end", "year end"}},
	{"seollal", "winter", "설", "Lunar New Year", []string{"설날", "설 연휴", "설맞이", "구정", "lunar new year", "seollal"}},
	{"valentine", "winter", "발렌타인데이", "Valentine's Day", []string{"발렌타인", "밸런타인", "valentine"}},
	{"white_day", "spring", "화이트데이", "White Day", []string{"화이트데이", "white day", "whiteday"}},
	{"cherry_blossom", "spring", "벚꽃 시즌", "cherry blossom season", []string{"벚꽃", "cherry blossom"}},
	{"back_to_school", "spring", "새학기", "back to school", []string{"새학기", "개강", "입학", "신입생", "back to school", "new semester", "freshm"}},
	{"childrens_day", "spring", "어린이날", "Children's Day", []string{"어린이날", "children's day", "childrens day", "children day"}},
	{"parents_day", "spring", "어버이날", "Parents' Day", []string{"어버이날", "parents' day", "parents day"}},
	{"teachers_day", "spring", "스승의 날", "Teachers' Day", []string{"스승의 날", "스승의날", "teachers' day", "teachers day"}},
	{"summer_vacation", "summer", "여름휴가·방학", "summer holidays", []string{"휴가", "여름방학", "vacation", "summer holiday"}},
	{"monsoon", "summer", "장마", "rainy season", []string{"장마", "monsoon", "rainy season"}},
	{"boknal", "summer", "복날", "boknal", []string{"복날", "초복", "중복", "말복", "boknal"}},
	{"chuseok", "autumn", "추석", "Chuseok", []string{"추석", "한가위", "chuseok", "korean thanksgiving"}},
	{"halloween", "autumn", "할로윈", "Halloween", []string{"할로윈", "핼러윈", "halloween"}},
	{"pepero_day", "autumn", "빼빼로데이", "Pepero Day", []string{"빼빼로", "pepero"}},
	{"suneung", "autumn", "수능", "college entrance exam", []string{"수능", "suneung", "college exam", "entrance exam"}},
	{"hangul_day", "autumn", "한글날", "Hangul Day", []string{"한글날", "hangul day"}},
	{"anniversary", "", "기념일", "anniversary", []string{"주년", "기념", "개점", "오픈", "anniversary", "grand opening", "opening"}},
}

var seasonWords = []struct{ season, word string }{
	{"spring", "봄"}, {"spring", "spring"}, {"summer", "여름"}, {"summer", "summer"},
	{"autumn", "가을"}, {"autumn", "autumn"}, {"autumn", "fall"}, {"winter", "겨울"}, {"winter", "winter"},
}

// seasonOfMonth is the season of a month (Korean custom: spring is March
// to May).
func seasonOfMonth(m time.Month) string {
	switch m {
	case time.March, time.April, time.May:
		return "spring"
	case time.June, time.July, time.August:
		return "summer"
	case time.September, time.October, time.November:
		return "autumn"
	default:
		return "winter"
	}
}

// parseSeason reads a season or an occasion ("christmas", "추석", "겨울");
// empty means the season of month. An unknown word gives season "".
func parseSeason(s string, month time.Month) (season, occasion string) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return seasonOfMonth(month), ""
	}
	if t == "설" {
		return "winter", "seollal"
	}
	for _, o := range occasions {
		for _, w := range o.words {
			if strings.Contains(t, w) {
				season = o.season
				for _, sw := range seasonWords {
					if strings.Contains(t, sw.word) {
						season = sw.season
					}
				}
				if season == "" {
					season = seasonOfMonth(month)
				}
				return season, o.key
			}
		}
	}
	for _, sw := range seasonWords {
		if strings.Contains(t, sw.word) {
			return sw.season, ""
		}
	}
	if _, ok := seasonLabels[t]; ok {
		return t, ""
	}
	return "", ""
}

func seasonLabel(s, locale string) string {
	l := seasonLabels[s]
	return tr(locale, l[0], l[1])
}

func occasionLabel(key, locale string) string {
	for _, o := range occasions {
		if o.key == key {
			return tr(locale, o.ko, o.en)
		}
	}
	return ""
}

// purposes: key, labels and the words that name it.
var purposes = []struct {
	key, ko, en string
	words       []string
}{
	{"new_customers", "신규 고객 유치", "new customers", []string{"new_customers", "신규", "유치", "새 고객", "new customer", "acquisition", "acquire", "attract"}},
	{"revisit", "재방문 유도", "repeat visits", []string{"revisit", "재방문", "다시", "이탈", "휴면", "win back", "come back", "bring back", "return", "repeat", "dormant"}},
	{"sales", "매출 증대", "sales", []string{"sales", "매출", "판매", "revenue", "sell"}},
	{"awareness", "인지도 향상", "awareness", []string{"awareness", "인지도", "홍보", "알리", "브랜드", "brand", "buzz", "viral", "바이럴"}},
	{"loyalty", "단골 관리", "loyalty", []string{"loyalty", "단골", "충성", "감사", "vip", "loyal", "thank"}},
}

// parsePurpose maps a purpose to its key and label; free text that names
// none is kept as the label with no key.
func parsePurpose(s, locale string) (key, label string) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", ""
	}
	for _, p := range purposes {
		for _, w := range p.words {
			if strings.Contains(t, w) {
				return p.key, tr(locale, p.ko, p.en)
			}
		}
	}
	return "", strings.TrimSpace(s)
}

func purposeLabel(key, locale string) string {
	for _, p := range purposes {
		if p.key == key {
			return tr(locale, p.ko, p.en)
		}
	}
	return ""
}

// parseIndustry maps an industry to the corpus's keys; bakery when empty.
func parseIndustry(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	switch {
	case t == "":
		return "bakery"
	case strings.Contains(t, "카페") || strings.Contains(t, "cafe") || strings.Contains(t, "café") || strings.Contains(t, "coffee") || strings.Contains(t, "커피"):
		return "cafe"
	case strings.Contains(t, "디저트") || strings.Contains(t, "dessert"):
		return "dessert"
	case strings.Contains(t, "베이커리") || strings.Contains(t, "빵") || strings.Contains(t, "bakery") || strings.Contains(t, "bread"):
		return "bakery"
	}
	return t
}

var industryLabels = map[string][2]string{
	"bakery": {"베이커리", "bakery"}, "cafe": {"카페", "café"}, "dessert": {"디저트", "dessert"},
}

func industryLabel(key, locale string) string {
	if l, ok := industryLabels[key]; ok {
		return tr(locale, l[0], l[1])
	}
	return key
}

// areas: trade-area labels and what the brand's data says works there (the
// demo model's weekday and category profiles and the corpus's lessons).
var areas = map[string][4]string{
	"office":      {"오피스", "office", "평일 출근·점심 시간과 단체 주문이 강하고 주말은 약해요.", "weekday mornings, lunch and bulk orders are strong; weekends are quiet."},
	"residential": {"주거", "residential", "주말 가족 고객과 케이크·식빵 수요가 커요.", "weekend families and cakes and loaves sell best."},
	"university":  {"대학가", "university", "학생 대상 SNS 참여형과 학기 시작 시점이 잘 맞아요.", "students answer social-media events, best at the start of term."},
	"tourist":     {"관광", "tourist", "주말 방문객이 많고 사진 공유형 이벤트가 잘 퍼져요.", "weekend visitors and photo-sharing events spread well."},
	"station":     {"역세권", "station", "출퇴근 시간의 빠른 구매와 날씨 조건형 혜택이 잘 맞아요.", "quick commuter purchases and weather-triggered offers work well."},
}

func areaLabel(a, locale string) string {
	l, ok := areas[a]
	if !ok {
		return a
	}
	return tr(locale, l[0], l[1])
}

func areaHint(a, locale string) string {
	l, ok := areas[a]
	if !ok {
		return ""
	}
	return tr(locale, l[2], l[3])
}

var bandLabels = map[string][2]string{"low": {"저예산", "low budget"}, "medium": {"중예산", "medium budget"}, "high": {"고예산", "high budget"}}
var typeLabels = map[string][2]string{"online": {"온라인", "online"}, "offline": {"오프라인", "offline"}}

func slotLabel(budget, typ, locale string) string {
	b, t := bandLabels[budget], typeLabels[typ]
	return tr(locale, b[0]+" · "+t[0], b[1]+" · "+t[1])
}
