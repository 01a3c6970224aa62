package demo

import "time"

// Trade areas of the stores.
const (
	areaOffice      = "office"
	areaResidential = "residential"
	areaUniversity  = "university"
	areaTourist     = "tourist"
	areaStation     = "station"
)

// Product categories, in the order the intraday dataset lists them.
const (
	catBread    = "bread"
	catPastry   = "pastry"
	catCake     = "cake"
	catSandwich = "sandwich"
	catCookie   = "cookie"
	catBeverage = "beverage"
)

func categories() []string {
	return []string{catBread, catPastry, catCake, catSandwich, catCookie, catBeverage}
}

func categoryIndex(c string) int {
	for i, x := range categories() {
		if x == c {
			return i
		}
	}
	return -1
}

// areaProfile is how a trade area shapes demand.
type areaProfile struct {
	// weekday is the demand factor by time.Weekday (Sunday first).
	weekday [7]float64
	// holiday multiplies the Sunday factor on public holidays.
	holiday float64
	// affinity is the demand factor by category, in categories() order.
	affinity [6]float64
	// rainExp raises the rain factor to this power (tourists stay away
	// from wet streets more than office workers do).
	rainExp float64
	// members weighs how many loyalty members call a store of this area home.
	members float64
	// curve is the base intraday curve over opening hours 07..21.
	curve [openHours]float64
}

// Opening hours: sales happen in the hours 07:00–21:59 and stock snapshots
// are taken on the hour from 07:00 to 22:00.
const (
	openHour  = 7
	closeHour = 22
	openHours = closeHour - openHour
)

func areaProfiles() map[string]areaProfile {
	return map[string]areaProfile{
		areaOffice: {
			weekday:  [7]float64{0.38, 1.08, 1.10, 1.10, 1.10, 1.05, 0.48},
			holiday:  0.85,
			affinity: [6]float64{0.75, 1.10, 0.70, 1.60, 0.95, 1.35},
			rainExp:  0.7,
			members:  1.0,
			curve:    [openHours]float64{5, 12, 10, 5, 8, 13, 9, 5, 5, 5, 6, 8, 5, 2, 2},
		},
		areaResidential: {
			weekday:  [7]float64{1.28, 0.90, 0.90, 0.92, 0.92, 1.02, 1.32},
			holiday:  1.05,
			affinity: [6]float64{1.35, 0.90, 1.30, 0.70, 1.05, 0.85},
			rainExp:  1.0,
			members:  1.4,
			curve:    [openHours]float64{3, 6, 6, 5, 6, 7, 6, 6, 7, 8, 10, 11, 9, 6, 4},
		},
		areaUniversity: {
			weekday:  [7]float64{0.72, 1.08, 1.10, 1.10, 1.08, 1.00, 0.82},
			holiday:  0.85,
			affinity: [6]float64{0.90, 1.15, 0.85, 1.15, 1.20, 1.20},
			rainExp:  1.1,
			members:  1.1,
			curve:    [openHours]float64{2, 5, 6, 6, 8, 10, 10, 10, 10, 9, 8, 7, 5, 3, 1},
		},
		areaTourist: {
			weekday:  [7]float64{1.35, 0.85, 0.85, 0.88, 0.90, 1.05, 1.45},
			holiday:  1.10,
			affinity: [6]float64{0.80, 1.30, 1.15, 0.90, 1.25, 1.10},
			rainExp:  1.3,
			members:  0.6,
			curve:    [openHours]float64{1, 2, 4, 6, 8, 10, 11, 11, 11, 10, 9, 7, 5, 3, 2},
		},
		areaStation: {
			weekday:  [7]float64{0.92, 1.05, 1.00, 1.00, 1.02, 1.15, 0.98},
			holiday:  1.00,
			affinity: [6]float64{1.00, 1.05, 0.90, 1.30, 0.90, 1.20},
			rainExp:  0.8,
			members:  0.8,
			curve:    [openHours]float64{6, 11, 8, 5, 6, 9, 7, 5, 5, 6, 9, 10, 7, 4, 2},
		},
	}
}

// categoryCurve multiplies the area curve by category, hour by hour
// (07..21): bread sells towards the evening, pastries and coffee in the
// morning, sandwiches at lunch, cakes in the afternoon and evening.
func categoryCurve(cat string) [openHours]float64 {
	switch cat {
	case catBread:
		return [openHours]float64{0.8, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.3, 1.3, 1.2, 1.1}
	case catPastry:
		return [openHours]float64{1.5, 1.5, 1.4, 1.2, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.6, 0.6}
	case catCake:
		return [openHours]float64{0.3, 0.4, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 1.4, 1.5, 1.6, 1.5, 1.3, 1.0}
	case catSandwich:
		return [openHours]float64{1.3, 1.4, 1.1, 1.0, 1.8, 2.0, 1.5, 0.8, 0.7, 0.7, 0.7, 0.6, 0.5, 0.4, 0.4}
	case catCookie:
		return [openHours]float64{0.5, 0.6, 0.7, 0.9, 1.0, 1.0, 1.1, 1.3, 1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8}
	default: // beverage
		return [openHours]float64{1.5, 1.6, 1.4, 1.1, 1.0, 1.1, 1.2, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4}
	}
}

// storeSpec is one store with the parameters the model gives it.
type storeSpec struct {
	id, name, nameEN, district, districtEN, area string
	lat, lon                                     float64
	openedOn                                     string
	size                                         float64 // demand scale
	growth                                       float64 // log-trend per year
	bias                                         float64 // production planning bias
}

func storeSpecs() []storeSpec {
	return []storeSpec{
		{"S01", "강남점", "Gangnam", "강남구", "Gangnam-gu", areaOffice, 37.4981, 127.0276, "2012-03-02", 1.35, 0.03, 1.00},
		{"S02", "홍대점", "Hongdae", "마포구", "Mapo-gu", areaUniversity, 37.5567, 126.9237, "2013-05-10", 1.25, 0.05, 1.03},
		{"S03", "여의도점", "Yeouido", "영등포구", "Yeongdeungpo-gu", areaOffice, 37.5219, 126.9245, "2012-09-14", 1.15, 0.02, 0.97},
		{"S04", "잠실점", "Jamsil", "송파구", "Songpa-gu", areaResidential, 37.5133, 127.1002, "2014-04-01", 1.30, 0.04, 1.00},
		{"S05", "종로점", "Jongno", "종로구", "Jongno-gu", areaTourist, 37.5702, 126.9830, "2011-11-20", 1.00, 0.01, 1.04},
		{"S06", "신촌점", "Sinchon", "서대문구", "Seodaemun-gu", areaUniversity, 37.5597, 126.9423, "2013-02-15", 0.95, -0.02, 1.00},
		{"S07", "성수점", "Seongsu", "성동구", "Seongdong-gu", areaTourist, 37.5446, 127.0557, "2014-10-01", 1.10, 0.15, 1.06},
		{"S08", "이태원점", "Itaewon", "용산구", "Yongsan-gu", areaTourist, 37.5345, 126.9943, "2014-06-20", 0.90, -0.04, 1.12},
		{"S09", "건대점", "Konkuk Univ.", "광진구", "Gwangjin-gu", areaUniversity, 37.5404, 127.0692, "2013-08-30", 1.00, 0.03, 1.02},
		{"S10", "목동점", "Mokdong", "양천구", "Yangcheon-gu", areaResidential, 37.5263, 126.8751, "2012-12-07", 1.10, 0.02, 0.99},
		{"S11", "왕십리점", "Wangsimni", "성동구", "Seongdong-gu", areaStation, 37.5612, 127.0372, "2014-03-14", 1.05, 0.04, 1.00},
		{"S12", "서울역점", "Seoul Station", "중구", "Jung-gu", areaStation, 37.5547, 126.9707, "2011-06-01", 1.20, 0.02, 1.05},
	}
}

// districtTempOffset is each district's mean temperature offset (°C) from
// the Seoul station normals (heat islands downtown, cooler west and north).
func districtTempOffset(district string) float64 {
	switch district {
	case "강남구", "중구":
		return 0.3
	case "영등포구", "종로구":
		return 0.2
	case "성동구", "용산구":
		return 0.1
	case "서대문구":
		return -0.2
	case "양천구":
		return -0.1
	default:
		return 0
	}
}

// season is when a seasonal product is on the shelves, as month-day ranges
// that may wrap the year end.
type season struct {
	fromMonth time.Month
	fromDay   int
	toMonth   time.Month
	toDay     int
}

func (s season) contains(d time.Time) bool {
	md := int(d.Month())*100 + d.Day()
	from := int(s.fromMonth)*100 + s.fromDay
	to := int(s.toMonth)*100 + s.toDay
	if from <= to {
		return md >= from && md <= to
	}
	return md >= from || md <= to
}

// productSpec is one product with the parameters the model gives it.
type productSpec struct {
	id, name, nameEN, category string
	price, shelfLife           int
	allergens, tags            []string
	base                       float64 // mean daily units at a size-1 store, affinity 1, factor 1
	madeToOrder                bool    // brewed per order: production equals sales
	season                     *season // nil: all year
}

func productSpecs() []productSpec {
	wheatMilkEgg := []string{"wheat", "milk", "egg"}
	return []productSpec{
		// bread
		{"P001", "식빵", "White Bread", catBread, 4500, 72, []string{"wheat", "milk", "soy"}, []string{"breakfast", "staple", "soft", "milk-pairing"}, 22, false, nil},
		{"P002", "우유식빵", "Milk Bread Loaf", catBread, 5200, 72, []string{"wheat", "milk", "soy"}, []string{"breakfast", "staple", "soft", "milk", "kids"}, 14, false, nil},
		{"P003", "통밀식빵", "Whole Wheat Loaf", catBread, 5500, 72, []string{"wheat", "soy"}, []string{"healthy", "whole-grain", "breakfast", "staple"}, 9, false, nil},
		{"P004", "쌀식빵", "Rice Flour Loaf", catBread, 5800, 72, []string{"wheat", "milk", "soy"}, []string{"rice", "soft", "breakfast", "healthy"}, 7, false, nil},
		{"P005", "바게트", "Baguette", catBread, 3800, 24, []string{"wheat"}, []string{"savory", "french", "crusty", "lean", "staple"}, 12, false, nil},
		{"P006", "소금빵", "Salt Bread", catBread, 3200, 24, []string{"wheat", "milk"}, []string{"butter", "savory", "trending", "coffee-pairing"}, 40, false, nil},
		{"P007", "단팥빵", "Red Bean Bun", catBread, 2300, 48, []string{"wheat", "egg", "milk", "soy"}, []string{"sweet", "red-bean", "traditional", "milk-pairing"}, 18, false, nil},
		{"P008", "소보로빵", "Soboro Bun", catBread, 2300, 48, []string{"wheat", "egg", "milk", "soy", "peanut"}, []string{"sweet", "traditional", "crumble", "milk-pairing"}, 14, false, nil},
		{"P009", "크림빵", "Custard Cream Bun", catBread, 2500, 36, []string{"wheat", "egg", "milk", "soy"}, []string{"sweet", "cream", "kids", "milk-pairing"}, 13, false, nil},
		{"P010", "고로케", "Korean Croquette", catBread, 2800, 24, []string{"wheat", "egg", "milk", "soy", "pork"}, []string{"savory", "fried", "traditional", "lunch"}, 16, false, nil},
		{"P011", "찹쌀도넛", "Glutinous Rice Donut", catBread, 2000, 24, []string{"wheat", "soy"}, []string{"sweet", "rice", "fried", "red-bean", "traditional"}, 14, false, nil},
		{"P012", "마늘바게트", "Garlic Baguette", catBread, 4500, 48, wheatMilkEgg, []string{"savory", "garlic", "butter", "snack"}, 9, false, nil},
		{"P013", "호밀빵", "Rye Bread", catBread, 6500, 96, []string{"wheat"}, []string{"healthy", "whole-grain", "savory", "lean"}, 5, false, nil},
		{"P014", "치아바타", "Ciabatta", catBread, 3500, 24, []string{"wheat"}, []string{"savory", "italian", "lean", "lunch"}, 8, false, nil},
		{"P015", "플레인 베이글", "Plain Bagel", catBread, 2800, 48, []string{"wheat"}, []string{"breakfast", "lean", "coffee-pairing", "healthy"}, 11, false, nil},
		{"P016", "크림치즈 베이글", "Cream Cheese Bagel", catBread, 3900, 24, []string{"wheat", "milk"}, []string{"breakfast", "cheese", "cream", "coffee-pairing"}, 10, false, nil},
		{"P017", "피자빵", "Pizza Bread", catBread, 3300, 24, []string{"wheat", "milk", "soy", "pork", "tomato"}, []string{"savory", "cheese", "kids", "lunch"}, 11, false, nil},
		// pastry
		{"P018", "크루아상", "Croissant", catPastry, 3200, 24, wheatMilkEgg, []string{"butter", "french", "breakfast", "coffee-pairing"}, 28, false, nil},
		{"P019", "뺑오쇼콜라", "Pain au Chocolat", catPastry, 3800, 24, []string{"wheat", "milk", "egg", "soy"}, []string{"butter", "chocolate", "french", "sweet"}, 12, false, nil},
		{"P020", "아몬드 크루아상", "Almond Croissant", catPastry, 4300, 24, []string{"wheat", "milk", "egg", "almond"}, []string{"butter", "nuts", "sweet", "premium", "french"}, 9, false, nil},
		{"P021", "에그타르트", "Egg Tart", catPastry, 2800, 24, wheatMilkEgg, []string{"sweet", "custard", "coffee-pairing", "kids"}, 16, false, nil},
		{"P022", "애플파이", "Apple Pie", catPastry, 4500, 48, wheatMilkEgg, []string{"sweet", "fruit", "cinnamon"}, 6, false, nil},
		{"P023", "블루베리 데니쉬", "Blueberry Danish", catPastry, 3900, 24, wheatMilkEgg, []string{"butter", "fruit", "sweet", "breakfast"}, 8, false, nil},
		{"P024", "시나몬롤", "Cinnamon Roll", catPastry, 3900, 36, []string{"wheat", "milk", "egg", "soy"}, []string{"sweet", "cinnamon", "winter", "coffee-pairing"}, 10, false, nil},
		{"P025", "밤파이", "Chestnut Pie", catPastry, 4300, 48, wheatMilkEgg, []string{"chestnut", "seasonal", "winter", "traditional"}, 8, false, &season{time.September, 15, time.February, 28}},
		// cake
		{"P026", "치즈케이크", "Cheesecake", catCake, 6500, 72, wheatMilkEgg, []string{"cheese", "cream", "dessert", "premium", "coffee-pairing"}, 9, false, nil},
		{"P027", "생크림 케이크", "Fresh Cream Cake", catCake, 28000, 48, wheatMilkEgg, []string{"whole-cake", "cream", "celebration", "gift", "premium"}, 3.5, false, nil},
		{"P028", "초코 케이크", "Chocolate Cake", catCake, 30000, 48, []string{"wheat", "milk", "egg", "soy"}, []string{"whole-cake", "chocolate", "celebration", "gift", "premium"}, 3, false, nil},
		{"P029", "딸기 생크림 케이크", "Strawberry Cream Cake", catCake, 34000, 48, wheatMilkEgg, []string{"whole-cake", "strawberry", "cream", "seasonal", "winter", "celebration", "premium"}, 3, false, &season{time.December, 1, time.April, 30}},
		{"P030", "고구마 케이크", "Sweet Potato Cake", catCake, 29000, 48, wheatMilkEgg, []string{"whole-cake", "sweet-potato", "cream", "seasonal", "winter", "celebration"}, 2, false, &season{time.October, 1, time.March, 31}},
		{"P031", "티라미수", "Tiramisu", catCake, 6800, 48, wheatMilkEgg, []string{"coffee", "cream", "dessert", "premium"}, 8, false, nil},
		{"P032", "롤케이크", "Swiss Roll Cake", catCake, 13000, 48, wheatMilkEgg, []string{"cream", "sweet", "gift", "kids"}, 4, false, nil},
		{"P033", "카스텔라", "Castella", catCake, 9000, 96, wheatMilkEgg, []string{"sweet", "soft", "gift", "kids", "traditional"}, 5, false, nil},
		{"P034", "파운드케이크", "Butter Pound Cake", catCake, 8500, 120, wheatMilkEgg, []string{"butter", "gift", "coffee-pairing"}, 4, false, nil},
		// sandwich
		{"P035", "햄치즈 샌드위치", "Ham & Cheese Sandwich", catSandwich, 5500, 12, []string{"wheat", "milk", "egg", "soy", "pork"}, []string{"savory", "lunch", "cheese", "breakfast"}, 14, false, nil},
		{"P036", "에그마요 샌드위치", "Egg Mayo Sandwich", catSandwich, 4900, 12, []string{"wheat", "egg", "milk", "soy"}, []string{"savory", "lunch", "egg", "breakfast"}, 13, false, nil},
		{"P037", "클럽 샌드위치", "Club Sandwich", catSandwich, 6900, 12, []string{"wheat", "egg", "milk", "soy", "chicken", "pork"}, []string{"savory", "lunch", "hearty"}, 9, false, nil},
		{"P038", "치킨 랩", "Chicken Wrap", catSandwich, 6200, 12, []string{"wheat", "soy", "chicken"}, []string{"savory", "lunch", "healthy"}, 8, false, nil},
		{"P039", "BLT 샌드위치", "BLT Sandwich", catSandwich, 6500, 12, []string{"wheat", "egg", "soy", "pork", "tomato"}, []string{"savory", "lunch", "bacon", "hearty"}, 7, false, nil},
		// cookie
		{"P040", "초코칩 쿠키", "Chocolate Chip Cookie", catCookie, 2500, 168, []string{"wheat", "milk", "egg", "soy"}, []string{"chocolate", "sweet", "kids", "snack", "milk-pairing"}, 12, false, nil},
		{"P041", "마카롱", "Macaron", catCookie, 2800, 96, []string{"milk", "egg", "almond"}, []string{"sweet", "colorful", "gift", "premium", "nuts", "dessert"}, 10, false, nil},
		{"P042", "휘낭시에", "Financier", catCookie, 2600, 120, []string{"wheat", "milk", "egg", "almond"}, []string{"butter", "nuts", "coffee-pairing", "gift"}, 10, false, nil},
		{"P043", "마들렌", "Madeleine", catCookie, 2300, 120, wheatMilkEgg, []string{"butter", "sweet", "coffee-pairing", "kids"}, 11, false, nil},
		{"P044", "쿠키 선물세트", "Cookie Gift Box", catCookie, 18000, 336, []string{"wheat", "milk", "egg", "soy", "almond"}, []string{"gift", "premium", "sweet", "celebration"}, 1.5, false, nil},
		{"P045", "진저맨 쿠키", "Gingerbread Man Cookie", catCookie, 3000, 168, []string{"wheat", "egg", "soy"}, []string{"seasonal", "winter", "christmas", "kids", "cinnamon"}, 6, false, &season{time.November, 20, time.January, 6}},
		// beverage
		{"P046", "우유", "Milk", catBeverage, 1600, 240, []string{"milk"}, []string{"milk", "breakfast", "kids", "cold"}, 14, false, nil},
		{"P047", "딸기우유", "Strawberry Milk", catBeverage, 1900, 240, []string{"milk"}, []string{"milk", "strawberry", "sweet", "kids", "cold"}, 6, false, nil},
		{"P048", "아메리카노", "Americano", catBeverage, 3500, 1, nil, []string{"coffee", "breakfast"}, 45, true, nil},
		{"P049", "카페라떼", "Cafe Latte", catBeverage, 4300, 1, []string{"milk"}, []string{"coffee", "milk"}, 22, true, nil},
		{"P050", "핫초코", "Hot Chocolate", catBeverage, 4000, 1, []string{"milk", "soy"}, []string{"chocolate", "hot", "winter", "kids", "sweet"}, 6, true, nil},
		{"P051", "콜드브루", "Cold Brew", catBeverage, 4500, 72, nil, []string{"coffee", "cold", "summer"}, 7, false, nil},
		{"P052", "오렌지주스", "Orange Juice", catBeverage, 3800, 120, nil, []string{"fruit", "cold", "summer", "healthy", "kids"}, 8, false, nil},
	}
}

// companion is a co-purchase rule: an order whose basket holds anchor also
// holds with with probability p.
type companion struct {
	anchor, with string
	p            float64
}

func companions() []companion {
	return []companion{
		{"P018", "P048", 0.45}, {"P018", "P046", 0.20}, {"P018", "P049", 0.20}, // croissant + coffee/milk
		{"P019", "P046", 0.30}, {"P019", "P049", 0.30},
		{"P020", "P048", 0.40},
		{"P001", "P046", 0.50}, {"P001", "P047", 0.10}, // 식빵 + 우유
		{"P002", "P046", 0.40}, {"P004", "P046", 0.30},
		{"P003", "P046", 0.25}, {"P003", "P013", 0.15},
		{"P006", "P048", 0.40}, {"P006", "P049", 0.20},
		{"P007", "P046", 0.45}, {"P007", "P008", 0.20}, // 단팥빵 + 우유
		{"P008", "P046", 0.35}, {"P009", "P046", 0.30}, {"P009", "P047", 0.15},
		{"P010", "P011", 0.30}, {"P010", "P046", 0.20}, // 고로케 + 찹쌀도넛
		{"P011", "P007", 0.20}, {"P011", "P046", 0.20},
		{"P005", "P018", 0.20}, {"P005", "P048", 0.15}, {"P012", "P005", 0.15},
		{"P014", "P048", 0.25}, {"P015", "P048", 0.30}, {"P015", "P016", 0.15},
		{"P016", "P048", 0.35}, {"P017", "P052", 0.25}, {"P017", "P047", 0.15},
		{"P021", "P048", 0.35}, {"P021", "P049", 0.15},
		{"P022", "P049", 0.25}, {"P023", "P048", 0.30},
		{"P024", "P049", 0.40}, {"P025", "P049", 0.30},
		{"P026", "P048", 0.50}, {"P031", "P049", 0.40}, {"P031", "P048", 0.20}, // cake + coffee
		{"P027", "P048", 0.25}, {"P027", "P041", 0.20}, {"P027", "P044", 0.08},
		{"P028", "P048", 0.25}, {"P028", "P041", 0.20}, {"P028", "P046", 0.15},
		{"P029", "P048", 0.25}, {"P029", "P041", 0.20},
		{"P030", "P049", 0.25},
		{"P032", "P046", 0.25}, {"P033", "P046", 0.30}, {"P034", "P048", 0.30},
		{"P035", "P048", 0.35}, {"P035", "P052", 0.25}, // sandwich + drink
		{"P036", "P048", 0.30}, {"P036", "P046", 0.20},
		{"P037", "P051", 0.20}, {"P037", "P052", 0.20}, {"P038", "P052", 0.30},
		{"P039", "P048", 0.35},
		{"P040", "P046", 0.40}, {"P040", "P047", 0.15}, // cookie + milk
		{"P041", "P048", 0.25}, {"P041", "P042", 0.25},
		{"P042", "P048", 0.45}, {"P042", "P043", 0.30}, // financier + americano, madeleine
		{"P043", "P048", 0.40}, {"P043", "P042", 0.25},
		{"P045", "P050", 0.35}, {"P050", "P040", 0.30},
	}
}
