package intent

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/holidays"
)

// Slots are the entities an utterance names. Dates are civil dates in the
// classifier's location (Asia/Seoul by default) as YYYY-MM-DD.
type Slots struct {
	// Dates are the days or ranges named (오늘, 이번 주말, next Friday,
	// 12월 24일, 2026-12-24), in text order.
	Dates []DateRange `json:"dates,omitempty"`
	// Days is a span or horizon asked about in days ("3일", "next 5 days",
	// "two weeks"; "this week" and "next week" are 7); 0 when none.
	Days int `json:"days,omitempty"`
	// Stores are store ids, in text order. A district with two stores
	// names both.
	Stores []string `json:"stores,omitempty"`
	// Products are product ids, in text order; a name shared by several
	// products ("bagel") names each of them.
	Products []string `json:"products,omitempty"`
	// Categories are product categories named on their own (bread,
	// pastry, cake, sandwich, cookie, beverage).
	Categories []string `json:"categories,omitempty"`
	// Segments are customer segments by their English names as the
	// segment plugin knows them: VIP, loyal, regular, new, at risk,
	// dormant.
	Segments []string `json:"segments,omitempty"`
	// Seasons are seasons and occasions: spring, summer, autumn, winter,
	// christmas, valentines, white_day, pepero_day, chuseok, seollal,
	// new_year, year_end, children_day, parents_day, halloween,
	// black_friday.
	Seasons []string `json:"seasons,omitempty"`
	// Budget is an amount of money in KRW (50만원, 500k won, ₩300,000,
	// 1.5백만원); 0 when none.
	Budget int64 `json:"budget,omitempty"`
	// MemberIDs are loyalty member ids (회원 12345, member #12345).
	MemberIDs []string `json:"member_ids,omitempty"`
	// Discount is a percentage said as a discount (30% 할인, 20% off).
	Discount int `json:"discount,omitempty"`
	// Threshold is a percentage said as a limit (EWR 12% 넘는, above 15%).
	Threshold float64 `json:"threshold,omitempty"`
}

// DateRange is a day (From == To) or a range of days, inclusive.
type DateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Text is what the utterance said, normalised.
	Text string `json:"text,omitempty"`
}

// Store returns the first store named, or "".
func (s Slots) Store() string { return first(s.Stores) }

// Product returns the first product named, or "".
func (s Slots) Product() string { return first(s.Products) }

// Segment returns the first segment named, or "".
func (s Slots) Segment() string { return first(s.Segments) }

// Season returns the first season named, or "".
func (s Slots) Season() string { return first(s.Seasons) }

// MemberID returns the first member id named, or "".
func (s Slots) MemberID() string { return first(s.MemberIDs) }

// Date returns the first date named, or the zero DateRange.
func (s Slots) Date() DateRange {
	if len(s.Dates) == 0 {
		return DateRange{}
	}
	return s.Dates[0]
}

// Empty reports whether no slot is filled.
func (s Slots) Empty() bool {
	return len(s.Dates) == 0 && s.Days == 0 && len(s.Stores) == 0 && len(s.Products) == 0 && len(s.Categories) == 0 &&
		len(s.Segments) == 0 && len(s.Seasons) == 0 && s.Budget == 0 && len(s.MemberIDs) == 0 && s.Discount == 0 && s.Threshold == 0
}

// Merge returns prev with every kind of slot that s fills replaced by s's:
// "강남점은?" after a question about Hongdae keeps its date and product and
// changes the store.
func (s Slots) Merge(prev Slots) Slots {
	out := prev
	if len(s.Dates) > 0 {
		out.Dates = s.Dates
	}
	if s.Days > 0 {
		out.Days = s.Days
	}
	if len(s.Stores) > 0 {
		out.Stores = s.Stores
	}
	if len(s.Products) > 0 {
		out.Products = s.Products
		out.Categories = s.Categories
	} else if len(s.Categories) > 0 {
		out.Categories = s.Categories
		out.Products = nil
	}
	if len(s.Segments) > 0 {
		out.Segments = s.Segments
	}
	if len(s.Seasons) > 0 {
		out.Seasons = s.Seasons
	}
	if s.Budget > 0 {
		out.Budget = s.Budget
	}
	if len(s.MemberIDs) > 0 {
		out.MemberIDs = s.MemberIDs
	}
	if s.Discount > 0 {
		out.Discount = s.Discount
	}
	if s.Threshold > 0 {
		out.Threshold = s.Threshold
	}
	return out
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// extractor finds slots. It is immutable once built.
type extractor struct {
	stores, products *gazetteer
	dates            dictionary // relative days, weeks, weekdays
	holidays         dictionary // dates that are occasions too
	seasons          dictionary
	segments         dictionary
	categories       dictionary
	loc              *time.Location
}

func newExtractor(stores []tools.Store, products []tools.Product, loc *time.Location) *extractor {
	x := &extractor{
		stores:   newGazetteer(stores, nil),
		products: newGazetteer(nil, products),
		loc:      loc,
	}
	dates := map[string]string{
		"오늘": "d0", "금일": "d0", "오늘밤": "d0", "당일": "d0", "today": "d0", "tday": "d0", "tdy": "d0", "toady": "d0", "todya": "d0", "tonight": "d0", "tonite": "d0", "this evening": "d0",
		"this morning": "d0", "this afternoon": "d0", "2day": "d0",
		"내일": "d1", "명일": "d1", "낼": "d1", "tomorrow": "d1", "tmr": "d1", "tmrw": "d1", "tomorow": "d1", "tommorow": "d1", "tommorrow": "d1", "tomoro": "d1",
		"내일모레": "d2", "내일 모레": "d2", "모레": "d2", "day after tomorrow": "d2",
		"글피": "d3", "어제": "d-1", "yesterday": "d-1", "그제": "d-2", "그저께": "d-2",
		"이번 주말": "weekend0", "주말": "weekend0", "this weekend": "weekend0", "weekend": "weekend0", "다음 주말": "weekend1", "next weekend": "weekend1",
		"이번 주": "week0", "금주": "week0", "this week": "week0", "다음 주": "week1", "차주": "week1", "next week": "week1", "지난 주": "week-1", "last week": "week-1",
		"이번 달": "month0", "this month": "month0", "다음 달": "month1", "next month": "month1", "지난 달": "month-1", "last month": "month-1",
	}
	koDays := []string{"일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"}
	koShort := []string{"일욜", "월욜", "화욜", "수욜", "목욜", "금욜", "토욜"}
	enDays := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	for i := range 7 {
		n := strconv.Itoa(i)
		for _, w := range []string{koDays[i], koShort[i]} {
			dates[w] = "wd:" + n
			dates["다음 주 "+w] = "wd1:" + n
			dates["차주 "+w] = "wd1:" + n
			dates["이번 주 "+w] = "wd0:" + n
			dates["지난 주 "+w] = "wd-1:" + n
			dates["지난 "+w] = "wdlast:" + n
		}
		w := enDays[i]
		dates[w] = "wd:" + n
		dates["on "+w] = "wd:" + n
		dates["next "+w] = "wdnext:" + n
		dates[w+" next week"] = "wd1:" + n
		dates["this "+w] = "wd0:" + n
		dates[w+" this week"] = "wd0:" + n
		dates["last "+w] = "wdlast:" + n
	}
	x.dates = newDictionary(dates, false)
	x.holidays = newDictionary(map[string]string{
		"크리스마스 이브": "12-24|christmas", "성탄 전야": "12-24|christmas", "christmas eve": "12-24|christmas", "xmas eve": "12-24|christmas",
		"크리스마스": "12-25|christmas", "성탄절": "12-25|christmas", "성탄": "12-25|christmas", "christmas": "12-25|christmas", "xmas": "12-25|christmas",
		"추석": "lunar:추석|chuseok", "한가위": "lunar:추석|chuseok", "chuseok": "lunar:추석|chuseok",
		"설날": "lunar:설날|seollal", "설 연휴": "lunar:설날|seollal", "구정": "lunar:설날|seollal", "seollal": "lunar:설날|seollal", "lunar new year": "lunar:설날|seollal",
		"어린이날": "05-05|children_day", "children's day": "05-05|children_day", "childrens day": "05-05|children_day",
		"어버이날": "05-08|parents_day", "parents day": "05-08|parents_day", "parents' day": "05-08|parents_day",
		"발렌타인데이": "02-14|valentines", "밸런타인데이": "02-14|valentines", "발렌타인": "02-14|valentines", "밸런타인": "02-14|valentines",
		"valentine's day": "02-14|valentines", "valentines day": "02-14|valentines", "valentine": "02-14|valentines", "valentines": "02-14|valentines",
		"화이트데이": "03-14|white_day", "white day": "03-14|white_day",
		"빼빼로데이": "11-11|pepero_day", "pepero day": "11-11|pepero_day",
		"할로윈": "10-31|halloween", "핼러윈": "10-31|halloween", "halloween": "10-31|halloween",
		"신정": "01-01|new_year", "new year's day": "01-01|new_year", "new years day": "01-01|new_year",
	}, false)
	x.seasons = newDictionary(map[string]string{
		"봄": "spring", "spring": "spring", "여름": "summer", "summer": "summer", "가을": "autumn", "autumn": "autumn",
		"fall season": "autumn", "this fall": "autumn", "fall event": "autumn", "fall promotion": "autumn", "fall menu": "autumn", "fall campaign": "autumn",
		"겨울": "winter", "winter": "winter", "연말": "year_end", "송년": "year_end", "year end": "year_end", "year-end": "year_end", "holiday season": "year_end",
		"새해": "new_year", "신년": "new_year", "연초": "new_year", "new year": "new_year", "new years": "new_year",
		"블랙프라이데이": "black_friday", "black friday": "black_friday",
	}, true)
	x.segments = newDictionary(map[string]string{
		"vip": "VIP", "vips": "VIP", "최우수 고객": "VIP", "최우수": "VIP", "우수 고객": "VIP", "우수고객": "VIP", "top customers": "VIP",
		"best customers": "VIP", "most valuable customers": "VIP", "top spending customers": "VIP", "top spenders": "VIP",
		"단골": "loyal", "충성 고객": "loyal", "충성고객": "loyal", "loyal": "loyal", "regulars": "loyal",
		"일반 고객": "regular", "일반 회원": "regular", "일반고객": "regular", "regular customers": "regular", "regular customer": "regular", "regular ones": "regular",
		"신규": "new", "새 고객": "new", "새로운 고객": "new", "새 회원": "new", "new customers": "new", "new customer": "new", "new members": "new",
		"new member": "new", "newcomers": "new", "new ones": "new", "new users": "new", "first-time customers": "new",
		"이탈 위험": "at risk", "이탈위험": "at risk", "이탈": "at risk", "at risk": "at risk", "at-risk": "at risk", "churn": "at risk",
		"churning": "at risk", "churners": "at risk", "likely to leave": "at risk",
		"휴면": "dormant", "dormant": "dormant", "inactive customers": "dormant", "lapsed": "dormant", "sleeping customers": "dormant",
	}, true)
	x.categories = newDictionary(categoryWords, true)
	return x
}

var (
	reMember = regexp.MustCompile(`(?:회원|고객|멤버|member|customer|cust|user|client)\s*(?:번호|아이디|id|no\.?|number|num)?\s*[#:.]?\s*(\d{4,10})|(\d{4,10})\s*번\s*(?:회원|고객)|(?:^|\s)#\s?(\d{4,10})|\bid\s*[#:]?\s*(\d{4,10})`)
	reISO    = regexp.MustCompile(`(\d{4})[-./](\d{1,2})[-./](\d{1,2})`)
	reKoDate = regexp.MustCompile(`(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일`)
	reKoMon  = regexp.MustCompile(`(\d{1,2})\s*월`)
	months   = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`
	reENDate = regexp.MustCompile(`\b` + months + `\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?`)
	reENDay1 = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + months + `\b(?:,?\s*(\d{4}))?`)
	reSlash  = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})\b`)
	// Money: a number with a Korean or English unit, or with a currency.
	reMoneyUnit = regexp.MustCompile(`(\d[\d,]*(?:\.\d+)?)\s*(million|mil|thousand|천만|백만|천|만|억|k|m)\s*(원|won|krw)?`)
	reMoneyCur  = regexp.MustCompile(`(?:₩|krw|won)\s*(\d[\d,]*(?:\.\d+)?)\s*(million|천만|백만|천|만|억|k|m)?|(\d[\d,]*(?:\.\d+)?)\s*(원|won|krw)`)
	reMoneyKo   = regexp.MustCompile(`([일이삼사오육칠팔구십백천]+)\s*(만|억)\s*원`)
	reDays      = regexp.MustCompile(`(\d{1,3})\s*(일간|일\s*동안|일치|일|days?\b)`)
	reWeeks     = regexp.MustCompile(`(\d{1,2})\s*(주간|주일|주|weeks?\b)`)
	rePercent   = regexp.MustCompile(`(\d{1,2}(?:\.\d+)?)\s*(?:%|퍼센트|percent|프로)`)
	reDayWords  = regexp.MustCompile(`\b(one|two|three|four|five|six|seven|ten|fourteen|a)\s+(days?|weeks?)\b`)
)

var koDayWords = map[string]int{"일주일": 7, "한 주": 7, "한주": 7, "이주일": 14, "이 주": 14, "열흘": 10, "사흘": 3, "나흘": 4, "이틀": 2, "보름": 15}

var enNumbers = map[string]int{"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "fourteen": 14}

// budgetWords make a bare "500k" or "300만" a budget.
var budgetWords = []string{"예산", "budget", "비용", "cost", "spend", "돈", "금액", "투자"}

// extract fills the slots of d, claiming their spans.
func (x *extractor) extract(d *doc, now time.Time) Slots {
	var s Slots
	today := civil(now.In(x.loc))
	t := d.text
	after := func(end int) string {
		rest := strings.TrimLeft(t[end:], " ")
		r := []rune(rest)
		if len(r) == 0 {
			return ""
		}
		return string(r[0])
	}
	// The patterns below all need a digit; most utterances have none.
	digits := strings.ContainsAny(t, "0123456789")
	find := func(re *regexp.Regexp) [][]int {
		if !digits {
			return nil
		}
		return re.FindAllStringSubmatchIndex(t, -1)
	}
	// Member ids first: "회원 12345" is not an amount or a date.
	for _, m := range find(reMember) {
		for g := 1; g <= 4; g++ {
			if m[2*g] < 0 {
				continue
			}
			if strings.ContainsAny(after(m[2*g+1]), "년월일원개명%만천k") {
				break
			}
			if d.free(m[0], m[1]) {
				d.claim(m[0], m[1], spanMember)
				s.MemberIDs = appendNew(s.MemberIDs, t[m[2*g]:m[2*g+1]])
			}
		}
	}
	// Written dates.
	past := pastMarker(t)
	addDate := func(start, end int, from, to time.Time) {
		if !d.free(start, end) {
			return
		}
		d.claim(start, end, spanDate)
		s.Dates = append(s.Dates, DateRange{From: from.Format(tools.DateLayout), To: to.Format(tools.DateLayout), Text: strings.TrimSpace(t[start:end])})
	}
	for _, m := range find(reISO) {
		y, mo, da := atoi(t, m, 1), atoi(t, m, 2), atoi(t, m, 3)
		if day, ok := date(y, mo, da); ok {
			addDate(m[0], m[1], day, day)
		}
	}
	for _, m := range find(reKoDate) {
		if day, ok := resolveMonthDay(today, atoi(t, m, 1), atoi(t, m, 2), atoi(t, m, 3), past); ok {
			addDate(m[0], m[1], day, day)
		}
	}
	for _, m := range find(reENDate) {
		if day, ok := resolveMonthDay(today, atoi(t, m, 3), monthNumber(t[m[2]:m[3]]), atoi(t, m, 2), past); ok {
			addDate(m[0], m[1], day, day)
		}
	}
	for _, m := range find(reENDay1) {
		if day, ok := resolveMonthDay(today, atoi(t, m, 3), monthNumber(t[m[4]:m[5]]), atoi(t, m, 1), past); ok {
			addDate(m[0], m[1], day, day)
		}
	}
	for _, m := range find(reSlash) {
		// "1/2 price" is a fraction.
		if next := strings.TrimLeft(t[m[1]:], " "); slices.ContainsFunc([]string{"price", "off", "가격", "할인", "세일", "sale"}, func(w string) bool { return strings.HasPrefix(next, w) }) {
			continue
		}
		if day, ok := resolveMonthDay(today, 0, atoi(t, m, 1), atoi(t, m, 2), past); ok {
			addDate(m[0], m[1], day, day)
		}
	}
	// Budgets.
	hasBudgetWord := slices.ContainsFunc(budgetWords, func(w string) bool { return strings.Contains(t, w) })
	setBudget := func(start, end int, v float64) {
		if v <= 0 || v > 1e13 || !d.free(start, end) {
			return
		}
		d.claim(start, end, spanMoney)
		if s.Budget == 0 {
			s.Budget = int64(math.Round(v))
		}
	}
	for _, m := range find(reMoneyCur) {
		if m[2] >= 0 {
			unit := ""
			if m[4] >= 0 {
				unit = t[m[4]:m[5]]
			}
			setBudget(m[0], m[1], number(t[m[2]:m[3]])*multiplier(unit))
		} else {
			setBudget(m[0], m[1], number(t[m[6]:m[7]]))
		}
	}
	for _, m := range find(reMoneyUnit) {
		unit := t[m[4]:m[5]]
		currency := m[6] >= 0
		if !currency && !hasBudgetWord {
			continue
		}
		// "3만 명" counts people, "2k views" is not money.
		if !currency && strings.ContainsAny(after(m[1]), "명개건회번장") {
			continue
		}
		// A Latin unit must end the word (500k, not 500kg).
		if e := m[5]; (unit == "k" || unit == "m") && e < len(t) && kindOf(rune(t[e])) == scriptLatin {
			continue
		}
		setBudget(m[0], m[1], number(t[m[2]:m[3]])*multiplier(unit))
	}
	for _, m := range findIf(strings.Contains(t, "원"), reMoneyKo, t) {
		if v := koreanNumber(t[m[2]:m[3]]); v > 0 {
			setBudget(m[0], m[1], float64(v)*multiplier(t[m[4]:m[5]]))
		}
	}
	// Percentages: a discount, or a limit.
	for _, m := range find(rePercent) {
		if !d.free(m[0], m[1]) {
			continue
		}
		v := number(t[m[2]:m[3]])
		around := t[max(0, m[0]-24):min(len(t), m[1]+24)]
		d.claim(m[0], m[1], spanPercent)
		switch {
		case containsAny(around, "할인", "off", "discount", "세일", "sale"):
			if s.Discount == 0 && v > 0 && v < 100 {
				s.Discount = int(v)
			}
		case s.Threshold == 0:
			s.Threshold = v
		}
	}
	// Spans of days.
	for _, m := range find(reDays) {
		before := strings.TrimRight(t[:m[0]], " ")
		if strings.HasSuffix(before, "월") || !d.free(m[0], m[1]) {
			continue
		}
		if n := atoi(t, m, 1); n > 0 && n <= 90 {
			d.claim(m[0], m[1], spanDays)
			if s.Days == 0 {
				s.Days = n
			}
		}
	}
	for _, m := range find(reWeeks) {
		if strings.HasPrefix(strings.TrimLeft(t[m[1]:], " "), "년") || !d.free(m[0], m[1]) {
			continue
		}
		if n := atoi(t, m, 1); n > 0 && n <= 12 {
			d.claim(m[0], m[1], spanDays)
			if s.Days == 0 {
				s.Days = 7 * n
			}
		}
	}
	for _, m := range findIf(strings.Contains(t, "day") || strings.Contains(t, "week"), reDayWords, t) {
		if !d.free(m[0], m[1]) {
			continue
		}
		n := enNumbers[t[m[2]:m[3]]]
		if strings.HasPrefix(t[m[4]:m[5]], "week") {
			n *= 7
		}
		d.claim(m[0], m[1], spanDays)
		if s.Days == 0 {
			s.Days = n
		}
	}
	for w, n := range koDayWords {
		if i := strings.Index(t, w); i >= 0 && d.free(i, i+len(w)) {
			d.claim(i, i+len(w), spanDays)
			if s.Days == 0 {
				s.Days = n
			}
		}
	}
	// Occasions with a date (크리스마스, 추석), then relative dates.
	for _, m := range x.holidays.find(d) {
		day, season, _ := strings.Cut(m.value, "|")
		d.claim(m.start, m.end, spanOccasion)
		s.Seasons = appendNew(s.Seasons, season)
		if from, to, ok := holidayDates(today, day, past); ok {
			s.Dates = append(s.Dates, DateRange{From: from.Format(tools.DateLayout), To: to.Format(tools.DateLayout), Text: t[m.start:m.end]})
		}
	}
	for _, m := range x.dates.find(d) {
		from, to, days := relativeDates(today, m.value, past)
		d.claim(m.start, m.end, spanRelDate)
		s.Dates = append(s.Dates, DateRange{From: from.Format(tools.DateLayout), To: to.Format(tools.DateLayout), Text: t[m.start:m.end]})
		if s.Days == 0 && days > 0 {
			s.Days = days
		}
	}
	// A month on its own (12월 이벤트) is the whole month.
	for _, m := range find(reKoMon) {
		mo := atoi(t, m, 1)
		if mo < 1 || mo > 12 || !d.free(m[0], m[1]) {
			continue
		}
		y := today.Year()
		if time.Month(mo) < today.Month() && !past {
			y++
		}
		from := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
		d.claim(m[0], m[1], spanDate)
		s.Dates = append(s.Dates, DateRange{From: from.Format(tools.DateLayout), To: from.AddDate(0, 1, -1).Format(tools.DateLayout), Text: t[m[0]:m[1]]})
	}
	slices.SortStableFunc(s.Dates, func(a, b DateRange) int { return strings.Index(t, a.Text) - strings.Index(t, b.Text) })
	for _, m := range x.seasons.find(d) {
		d.claim(m.start, m.end, spanSeason)
		s.Seasons = appendNew(s.Seasons, m.value)
	}
	for _, m := range x.segments.find(d) {
		d.claim(m.start, m.end, spanSegment)
		s.Segments = appendNew(s.Segments, m.value)
	}
	s.Products = x.products.find(d, spanProduct)
	s.Stores = x.stores.find(d, spanStore)
	for _, m := range x.categories.find(d) {
		d.claim(m.start, m.end, spanCategory)
		s.Categories = appendNew(s.Categories, m.value)
	}
	return s
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func findIf(cond bool, re *regexp.Regexp, t string) [][]int {
	if !cond {
		return nil
	}
	return re.FindAllStringSubmatchIndex(t, -1)
}

func appendNew(xs []string, x string) []string {
	if x == "" || slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func atoi(t string, m []int, g int) int {
	if m[2*g] < 0 {
		return 0
	}
	n, _ := strconv.Atoi(t[m[2*g]:m[2*g+1]])
	return n
}

// number parses "300,000" and "1.5".
func number(s string) float64 {
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		return 0
	}
	return f
}

func multiplier(unit string) float64 {
	switch unit {
	case "천", "k", "thousand":
		return 1e3
	case "만":
		return 1e4
	case "백만", "m", "mil", "million":
		return 1e6
	case "천만":
		return 1e7
	case "억":
		return 1e8
	}
	return 1
}

// koreanNumber reads a number written in Sino-Korean words below 10,000
// (오십, 삼백, 천, 이천오백).
func koreanNumber(s string) int {
	digits := map[rune]int{'일': 1, '이': 2, '삼': 3, '사': 4, '오': 5, '육': 6, '칠': 7, '팔': 8, '구': 9}
	units := map[rune]int{'십': 10, '백': 100, '천': 1000}
	total, cur := 0, 0
	for _, r := range s {
		if d, ok := digits[r]; ok {
			cur = d
			continue
		}
		u := units[r]
		if cur == 0 {
			cur = 1
		}
		total += cur * u
		cur = 0
	}
	return total + cur
}

func pastMarker(t string) bool {
	for _, w := range []string{"지난", "작년", "지난해", "last year", " ago", "팔렸", "팔았", "했었"} {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// civil returns the midnight UTC of t's civil date, for date arithmetic
// without daylight-saving surprises.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func date(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 2월 30일
	}
	return t, true
}

// resolveMonthDay completes a date without a year: this year's, or next
// year's once this year's has passed, unless the utterance speaks of the
// past.
func resolveMonthDay(today time.Time, y, m, d int, past bool) (time.Time, bool) {
	if y != 0 {
		return date(y, m, d)
	}
	t, ok := date(today.Year(), m, d)
	if !ok {
		return t, false
	}
	if t.Before(today) && !past {
		t, ok = date(today.Year()+1, m, d)
	}
	return t, ok
}

func monthNumber(s string) int {
	for i, p := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.HasPrefix(s, p) {
			return i + 1
		}
	}
	return 0
}

// holidayDates resolves "12-24" or "lunar:추석" to the coming occurrence.
func holidayDates(today time.Time, spec string, past bool) (time.Time, time.Time, bool) {
	if name, ok := strings.CutPrefix(spec, "lunar:"); ok {
		years := []int{today.Year(), today.Year() + 1}
		if past {
			years = []int{today.Year(), today.Year() - 1}
		}
		for _, y := range years {
			var days []time.Time
			for _, h := range holidays.In(y) {
				if strings.HasPrefix(h.Name, name) {
					if t, err := time.Parse(tools.DateLayout, h.Date); err == nil {
						days = append(days, t)
					}
				}
			}
			if len(days) == 0 {
				continue
			}
			from, to := days[0], days[len(days)-1]
			if (!past && !to.Before(today)) || (past && to.Before(today)) {
				return from, to, true
			}
		}
		return time.Time{}, time.Time{}, false
	}
	ms, ds, _ := strings.Cut(spec, "-")
	m, err1 := strconv.Atoi(ms)
	d, err2 := strconv.Atoi(ds)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false
	}
	t, ok := resolveMonthDay(today, 0, m, d, past)
	return t, t, ok
}

// relativeDates resolves a value of the dates dictionary; days is the
// span the phrase implies (7 for a week), 0 for a day.
func relativeDates(today time.Time, v string, past bool) (from, to time.Time, days int) {
	// Weeks start on Monday.
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	switch {
	case strings.HasPrefix(v, "d"):
		n, _ := strconv.Atoi(v[1:])
		t := today.AddDate(0, 0, n)
		return t, t, 0
	case strings.HasPrefix(v, "weekend"):
		n, _ := strconv.Atoi(v[len("weekend"):])
		sat := monday.AddDate(0, 0, 5+7*n)
		if n == 0 && today.Weekday() == time.Sunday {
			return today, today, 0
		}
		if sat.Before(today) {
			sat = today
		}
		return sat, monday.AddDate(0, 0, 6+7*n), 0
	case strings.HasPrefix(v, "week"):
		n, _ := strconv.Atoi(v[len("week"):])
		start := monday.AddDate(0, 0, 7*n)
		if n == 0 {
			start = today
		}
		return start, monday.AddDate(0, 0, 6+7*n), 7
	case strings.HasPrefix(v, "month"):
		n, _ := strconv.Atoi(v[len("month"):])
		first := time.Date(today.Year(), today.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		start := first
		if n == 0 {
			start = today
		}
		return start, first.AddDate(0, 1, -1), 0
	case strings.HasPrefix(v, "wd"):
		kind, wd, _ := strings.Cut(v, ":")
		w, _ := strconv.Atoi(wd)
		offset := (w + 6) % 7 // Monday 0 … Sunday 6
		var t time.Time
		switch kind {
		case "wd": // the coming one, today included
			t = today.AddDate(0, 0, (w-int(today.Weekday())+7)%7)
		case "wdnext": // the first one after today
			delta := (w - int(today.Weekday()) + 7) % 7
			if delta == 0 {
				delta = 7
			}
			t = today.AddDate(0, 0, delta)
		case "wdlast": // the last one before today
			delta := (int(today.Weekday()) - w + 7) % 7
			if delta == 0 {
				delta = 7
			}
			t = today.AddDate(0, 0, -delta)
		default: // wd0, wd1, wd-1: that day of this, next or last week
			n, _ := strconv.Atoi(kind[2:])
			t = monday.AddDate(0, 0, 7*n+offset)
			// "this Friday" said on a Saturday means the coming one,
			// unless the utterance speaks of the past.
			if n == 0 && t.Before(today) && !past {
				t = t.AddDate(0, 0, 7)
			}
		}
		return t, t, 0
	}
	return today, today, 0
}
