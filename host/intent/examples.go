package intent

// Canonical intents: the intent field of every reply uses these ids
// (DESIGN.md). Plugins may declare finer ones (stock_lookup, product_info,
// store_clusters); those are intents too.
const (
	WasteForecast    = "waste_forecast"
	DemandForecast   = "demand_forecast"
	SegmentInsight   = "segment_insight"
	ProductRecommend = "product_recommend"
	EventPlan        = "event_plan"
	PushCopy         = "push_copy"
	KnowledgeQA      = "knowledge_qa"
	Help             = "help"
	OutOfScope       = "out_of_scope"
)

// Canonical lists the canonical intents in a stable order.
var Canonical = []string{WasteForecast, DemandForecast, SegmentInsight, ProductRecommend, EventPlan, PushCopy, KnowledgeQA, Help, OutOfScope}

// hostIntent is an intent the host knows without any plugin: its
// description (for the LLM fallback) and examples.
type hostIntent struct {
	description string
	examples    []string
}

// hostIntents are the host's own examples. help, knowledge_qa and
// out_of_scope are answered by the host; the others are served by plugins,
// whose manifests bring more examples, and are known here so that a
// question for a plugin that is not installed is recognised (and answered
// "not available") rather than taken for something else.
var hostIntents = map[string]hostIntent{
	Help: {
		description: "The user asks what Crumb can do or how to use it.",
		examples: []string{
			"도움말", "뭘 할 수 있어?", "무엇을 도와줄 수 있어?", "사용법 알려줘", "기능 목록", "어떤 걸 물어보면 돼?", "너는 무슨 일을 해?",
			"crumb 사용 방법", "어떻게 사용하는 거야?", "할 수 있는 게 뭐야?", "도움이 필요해", "기능 소개해줘", "너 누구야?", "무슨 질문을 할 수 있어?",
			"어떻게 쓰는 거야", "사용 가이드", "처음인데 뭐부터 하면 돼?", "명령어 목록", "좀 도와줄래?", "이 봇은 뭘 해?", "헬프", "어떻게 쓰면 돼?", "처음 사용하는데 어떻게 해?",
			"help", "what can you do?", "how do I use this?", "show me your features", "what kind of questions can I ask?",
			"what are you able to do?", "getting started", "how does crumb work?", "list your commands", "who are you and what do you do?",
			"what can this bot do?", "help me get started", "usage", "what questions can you answer?", "what are you for?",
			"what things can you do for me?", "what features can I use?", "what can I do with this?", "무엇을 물어봐야 할까?", "what am I supposed to do here?", "list of capabilities",
			"what are you capable of?", "show me your capabilities", "tell me what you can help with", "할 줄 아는 게 뭐야?", "어떤 기능이 있는지 보여줘",
			"what can I ask here?", "뭘 물어봐야 돼?", "이거 어떻게 쓰는 거예요?", "기능이 뭐가 있어?", "what do you help with?", "how do I talk to you", "예시 질문 보여줘",
			"example questions", "what are some things I can ask", "사용 설명", "start here", "너 뭐 할 줄 알아?", "what is this bot for?", "무엇을 할 수 있나요", "list everything you can help with",
		},
	},
	KnowledgeQA: {
		description: "A question answered from the brand's documents: coupon and discount policy, brand voice, how EWR is computed, banned words, segment definitions, store directory (addresses, opening hours, phone numbers), refunds.",
		examples: []string{
			"쿠폰 사용 규정이 어떻게 돼?", "할인 쿠폰이랑 멤버십 할인 같이 쓸 수 있어?", "마감 할인 정책 알려줘", "브랜드 보이스 가이드 알려줘",
			"광고 문구 톤앤매너", "예상 폐기율은 어떻게 계산하는 거야?", "EWR 정의가 뭐야?", "푸시에 쓰면 안 되는 금지어는?",
			"VIP 등급 기준은 뭐야?", "세그먼트는 어떻게 정의돼 있어?", "휴면 고객은 어떤 기준이야?", "매장 영업시간 알려줘",
			"잠실점 주소가 어디야?", "환불 규정", "유통기한 지난 상품 처리 규정", "RFM이 뭐야?", "금지어 리스트", "브랜드 가이드라인",
			"폐기율 계산법", "쿠폰 유효기간은?", "매장 연락처", "몇 시에 문 열어?", "직원 할인 정책", "고객 등급 정의", "이탈 위험 기준이 뭐야?",
			"교환 환불 정책", "할인 중복 적용 규칙", "브랜드 소개",
			"what is the coupon policy?", "can a coupon be used with other discounts?", "how is EWR calculated?", "what does expected waste rate mean?",
			"which words must we never use in marketing copy?", "what is our brand voice?", "how are customer segments defined?",
			"what counts as a VIP customer?", "when does the Gangnam store open?", "address of the Hongdae store", "store phone number",
			"what's the refund policy?", "explain the closing-time discount rules", "what does RFM mean?", "what is the definition of a loyal customer?",
			"how do we calculate the waste rate?", "brand guidelines", "banned words list", "where is the Gangnam store located?", "opening hours",
			"coupon expiry rules", "what is the employee discount?", "what is the formula for EWR?", "tone of voice for our copy",
			"how do you compute EWR?", "EWR 산출 공식", "where is the Mokdong store?", "banned words in notifications",
			"EWR이 무슨 뜻이야?", "what is meant by EWR?", "홍대점 연락처 알려줘",
			"VIP 되려면 조건이 뭐야", "이탈 위험은 어떻게 판정해?", "광고에 '최고'라는 말 써도 돼?", "푸시에 최저가 표현 가능?", "할인이랑 쿠폰 중복 돼요?", "매장 전화번호 좀", "여의도점 몇 시에 닫아?", "주말에도 영업해?",
			"멤버십 등급 혜택", "교환 가능한 기간", "반품 규정 알려주세요", "알레르기 표시 규정", "브랜드 톤 가이드 요약", "예상 폐기율 의미가 뭐야", "RFM 점수는 어떻게 매겨?", "세그먼트 나누는 기준", "직원 할인율 몇 퍼센트야", "쿠폰 유효기간 며칠",
			"is it ok to use the word 'cheapest' in a push?", "store hours on sundays", "can we use the word 'free' in a notification?", "'최저가' 써도 되는 표현이야?",
			"what expressions are off-limits in push messages?",
			"when does a member count as dormant", "what makes someone a VIP", "do coupons stack with membership discounts", "EWR이 정확히 뭐의 약자야",
			"brand voice do's and don'ts", "which expressions are forbidden in ads", "매뉴얼에 뭐라고 돼 있어?", "운영 가이드 찾아줘",
			"what does the handbook say about discounts",
			"푸시에 써도 되는 단어야?", "is '무료' a banned word?", "광고 문구 규정", "can I say 'healthy' in our copy?", "which words can't we use in ads?", "할인 행사 규칙이 뭐야",
			"what's the rule for stacking coupons", "멤버십 적립 기준", "what is the opening time on holidays?", "신촌점 주소 알려줘",
		},
	},
	OutOfScope: {
		description: "Anything outside the bakery's operations and marketing: weather, the stock market, news, sports, jokes, general knowledge, coding, translation, personal chat.",
		examples: []string{
			"오늘 날씨 알려줘", "이번 주 비 소식 있어?", "서울 기온 몇 도야?", "주식 추천해줘", "코스닥 지수", "테슬라 주가 어때?", "비트코인 가격",
			"농담 하나 해줘", "심심해", "야구 누가 이겼어?", "축구 경기 결과 알려줘", "최신 뉴스", "오늘 무슨 영화 볼까", "노래 추천해줘",
			"파이썬으로 정렬 코드 짜줘", "이 문장 영어로 번역해줘", "미국 대통령이 누구야?", "저녁 메뉴 뭐 먹을까", "사랑이 뭐야?", "환율 얼마야?",
			"우리 집 근처 맛집", "여행지 추천해줘", "운동 루틴 짜줘", "내일 날씨 어때?", "오늘 비 온대?", "주말에 눈 와?", "토요일에 비 와요?", "오후에 비 오나?", "미세먼지 어때", "우산 챙겨야 해?",
			"코인 시세", "집에서 빵 굽는 법", "연애 상담 해줘", "수학 문제 풀어줘", "시 한 편 써줘", "알람 맞춰줘", "택시 불러줘", "게임 추천",
			"what's the weather today?", "will it snow this weekend?", "temperature in Busan", "how are the markets doing?",
			"should I buy Apple stock?", "stock price of Samsung", "bitcoin price", "tell me a funny story", "sing me a song",
			"who won the game last night?", "latest news headlines", "translate this into Japanese", "write a javascript function",
			"what is the capital of Japan?", "recommend a restaurant nearby", "plan my vacation", "what's the exchange rate for dollars?",
			"how old is the universe?", "give me a workout plan", "what is love?", "will it rain tomorrow?", "weather forecast for the weekend",
			"crypto prices", "football scores", "recipe for pancakes", "how to make bread at home", "set an alarm", "call a taxi",
			"what time is it in New York?", "solve this math problem", "write a short story", "tell me about black holes",
			"recommend a tv series", "suggest a netflix show", "what is the purpose of existence?", "how much protein do I need?",
			"what's 5 times 7?", "계산기 켜줘", "what's the best tv to buy?", "recommend a song", "what is the point of it all?",
			"make a reservation for dinner", "예약 잡아줘", "요리 방법 알려줘", "how to learn guitar", "what is machine learning?",
			"what is inflation?", "what is photosynthesis?",
			"what is DNA?", "what is artificial intelligence?", "인공지능이 뭐야?", "메타버스가 뭐야?", "suggest a novel to read", "읽을 만한 소설 추천", "podcast recommendations",
			"recommend a good movie", "좋은 향수 추천해줘",
			"애플 주가 예측해줘", "stock market outlook for next week", "best laptop to buy", "추천할 만한 노트북", "오늘 로또 번호", "what's the speed of sound",
			"who painted the sistine chapel ceiling", "주말에 뭐 하지", "drive directions to the airport", "이력서 써줘", "write an email to my landlord", "how do I get better sleep",
			"커피 머신 추천", "헬스장 추천", "best pizza in seoul", "영화 예매해줘", "kpop song recommendations", "what time does the sun set", "번역 좀 해줘",
			"explain quantum physics", "부동산 전망", "what's the population of korea", "put on a podcast", "tell me about the roman empire", "주식 뭐 살까",
			"how to cook ramen", "오늘 저녁 레시피 알려줘", "유튜브 영상 추천", "스마트폰 뭐 살까",
			"plan a trip to jeju", "여행 계획 짜줘", "recommend a laptop", "좋은 책 추천해줘", "운동 계획 세워줘", "결혼식 계획 도와줘", "suggest a birthday gift for my mom",
			"강아지 이름 추천", "what's trending on twitter", "오늘 뉴스 요약해줘",
		},
	},
	WasteForecast: {
		description: "Which items or stores will have leftover, unsold bread today: the expected waste rate (EWR) and the items at risk of waste.",
		examples: []string{
			"폐기 예상 상품 알려줘", "오늘 폐기 위험 높은 빵", "매장별 예상 폐기율", "오늘 안 팔리고 남을 상품", "폐기율 예측",
			"오늘 폐기 많이 나올 상품", "마감 후 남을 재고 예측", "버려질 것 같은 빵", "EWR 높은 상품", "폐기율 12% 넘는 매장", "오늘 폐기량 예상",
			"EWR at Hongdae", "홍대점 EWR 알려줘", "waste forecast for today", "items at risk of being thrown away", "expected waste rate per store", "what will be left unsold tonight?",
			"which items will be thrown out today", "leftover forecast", "EWR by item", "products likely to be discarded", "how much will go unsold today",
			"마감하고 버리게 될 빵 있어?", "저녁에 남아서 버릴 상품", "what will we have to throw away this evening?",
			"오늘 로스 얼마나 날까?", "로스 예상 품목", "마감하면 몇 개나 남을까요", "오늘 재고 털어야 할 빵 뭐임", "폐기 각인 상품 있음?", "이따 문 닫을 때 남는 거 예측 좀 해주세요", "떨이로 팔아야 할 상품 알려줘", "잔량 예측",
			"폐기 리스크 큰 매장 어디야", "오늘 폐기 예상 수량 매장별로", "페기 예상", "폐기될꺼 뭐야", "오늘 빵 많이 남을까?", "할인해서라도 팔아야 하는 상품", "마감 후 잔여 재고 예측", "오늘 폐기율 예측치 매장별로 보여주세요",
			"EWR 높은 순으로 정렬해줘", "이번 주 폐기 많이 날 품목", "what's going to be left over at close", "anything at risk of going to waste today?",
			"items we'll probably bin tonight", "which SKUs will end up as waste", "waste outlook for this evening",
			"predict end-of-day leftovers for each store", "expected unsold units by product today", "which items have the highest EWR right now",
			"waste numbers expected today?", "what will we end up tossing today", "폐기 예측 돌려줘", "waste risk 높은 애들 뭐야",
		},
	},
	DemandForecast: {
		description: "How many units of products will sell on future days (sales and demand forecast), per store and product.",
		examples: []string{
			"내일 판매량 예측", "다음 주 수요 예측해줘", "주말에 케이크 몇 개 팔릴까?", "내일 빵 몇 개 만들어야 해?",
			"모레 판매 예측", "다음 주 매출 예측", "금요일 수요", "이번 주말 예상 판매량", "크리스마스 케이크 수요", "생산량 얼마나 해야 해?",
			"sales forecast for tomorrow", "how many will we sell next week?", "demand prediction for the weekend", "how many should we bake tomorrow?",
			"how many should we bake for Saturday", "how many cookies will we sell this weekend?", "내일 케이크 몇 개 필요할까?", "sales forecast for the next 7 days", "expected demand for cakes on Christmas",
			"projected sales this weekend", "forecast units sold on Friday", "how much revenue do we expect next week?",
			"how many loaves will we need for the weekend?", "토요일에 빵 얼마나 필요해?",
			"내일 몇 판 구워야 돼?", "금요일 생산 계획 잡아줘", "생산 수량 추천해줘", "다음 주 예상 매출", "주말 매출 전망 어때요", "내일 준비할 수량", "오늘 몇 개 팔릴 거 같아?", "내일 발주량 정해줘", "다음주 화요일 판매 예상",
			"연말 판매 예측", "명절 연휴 판매량 전망", "케이크 예약 수요 예상", "몇 개 만들어 둘까", "내일 생산량 산출해줘", "내일 빵 얼마나 나갈까", "how much should we produce tomorrow",
			"projected units for next monday", "what's the sales outlook for next month", "how many loaves to prep for tomorrow",
			"expected sales volume at each store tomorrow", "demand for 14 days ahead", "quantity to bake per item for friday", "bake plan for tmrw",
			"how many cakes will sell over christmas", "units forecast by store and product", "predict sales if it rains tomorrow",
			"next week's demand by item", "sales projection for the holiday weekend", "수요예측 좀", "how much bread should we have ready for Saturday?", "how much dough to prepare for the weekend", "how much cake do we need for Christmas Eve?",
		},
	},
	SegmentInsight: {
		description: "Customer segments (VIP, loyal, new, at risk, dormant): sizes, what they buy, when they come, churn risk, comparisons.",
		examples: []string{
			"고객 세그먼트 분석", "VIP 고객 특징", "이탈 위험 고객 수", "세그먼트별 고객 수", "단골 고객이 많이 사는 상품",
			"VIP 고객 평균 구매 금액", "고객 분류 결과", "최근 안 오는 단골 고객", "세그먼트 매출 비중",
			"customer segment overview", "what characterises our VIP customers?", "customers likely to churn", "segment sizes and revenue",
			"average spend of VIP customers", "who are our best customers?", "customers who stopped coming", "RFM segments",
			"고객층 좀 분석해 줄래", "VIP 손님들은 뭘 많이 사가?", "우리 손님들 어떤 유형으로 나뉘어?", "고객 군집 결과", "충성 고객 비중", "단골들 언제 많이 와?", "VIP는 몇 시에 주로 방문해?", "이탈할 것 같은 손님 명단",
			"요즘 발길 끊긴 고객", "휴면 고객 비율", "신규 고객 재구매율", "고객 세그먼트별 매출 기여도", "세그먼트별로 뭐 많이 사는지", "VIP랑 신규 비교 좀", "고객 RFM 분포", "우수 고객 특성", "고객 등급 분포", "고객 인사이트 보여줘",
			"which customer groups spend the most", "breakdown of our customer base", "who are our lapsed customers",
			"how many members are at risk of leaving", "segment report for members", "what do at-risk customers typically buy",
			"spending patterns by segment", "profile our new members", "churn-risk list", "top spenders and their favourite items", "customer mix by segment",
			"which customers haven't visited in a while", "what are new members like?", "what is a typical VIP like?",
			"what do VIP customers have in common?", "단골 고객은 보통 몇 번 와?", "how loyal are our members", "세그먼트별 특징 정리해줘",
			"which segment brings the most revenue", "고객 유형별 선호 상품",
		},
	},
	ProductRecommend: {
		description: "Products to recommend to a customer, a member, a segment or a basket: personalised picks, items bought together, cross-sell.",
		examples: []string{
			"고객에게 추천할 상품", "이 회원한테 뭘 추천할까?", "같이 사기 좋은 상품 추천", "장바구니 기반 추천", "맞춤 상품 추천해줘",
			"함께 잘 팔리는 상품", "VIP 고객에게 추천할 만한 빵", "회원 맞춤 추천", "커피랑 어울리는 빵", "단골 고객 추천 상품",
			"신규 회원에게 뭘 추천할까", "휴면 고객 재방문 유도 상품 추천", "회원 10001 추천 상품", "이 상품 산 고객이 함께 산 상품", "비슷한 상품 추천",
			"recommend products for this member", "what goes well with this item?", "items often bought together",
			"personalised product picks for a customer", "cross-sell suggestions", "recommendations for a basket",
			"what should I recommend to a loyal customer?", "products to suggest to VIPs", "recommend items for member 10001",
			"what goes with an americano?", "upsell ideas for a latte", "similar products to the croissant", "what would this customer like?",
			"recommendations for customer 10020", "top recommended items for new members",
			"아메리카노 손님한테 같이 권할 빵", "이 손님한테 뭐 권해?", "같이 팔면 좋은 조합", "세트로 묶어 팔 만한 상품", "회원 20031 맞춤 추천", "함께 구매하면 좋은 상품 추천", "장바구니에 크루아상 있는데 뭐 더 추천?",
			"추가 구매 유도 상품", "이 고객 취향에 맞는 빵", "단골 손님 추천 리스트", "신규 고객한테 권할 베스트", "VIP 맞춤 상품 제안", "곁들이기 좋은 디저트", "우유랑 어울리는 빵", "회원번호 30012 추천 좀",
			"what else would someone buying a baguette like", "suggest a pairing for a latte", "recommended add-ons for a cake order",
			"what should we offer member 10455", "personal picks for a loyal customer", "upsell options at the counter", "bundle ideas for sandwiches",
			"what do people usually buy with croissants", "best items to recommend to new members", "cross-sell for a customer with a bagel in the cart",
			"give me product suggestions for this shopper", "recommendations for a dormant member to come back",
			"which products should we offer member 12001", "what goes nicely with tea", "what might a VIP want to buy next?", "what would a new member like to try?", "추천템 뭐 있어",
			"VIP 고객에게 권할 상품", "단골한테 추천할 거 뭐 있어", "recommend something to dormant members", "what should we suggest to at-risk customers", "이탈 위험 고객한테 추천할 빵",
			"suggest products for our loyal shoppers", "best sellers to recommend to a first-time visitor", "what would go well in a gift box",
		},
	},
	EventPlan: {
		description: "Plan a marketing event or promotion: ideas and plans by budget and channel (online/offline), season or occasion.",
		examples: []string{
			"이벤트 기획해줘", "프로모션 아이디어 추천", "예산별 이벤트 기획안", "시즌 이벤트 계획", "온라인 오프라인 이벤트 기획",
			"크리스마스 이벤트 아이디어", "예산 100만원 이벤트 계획", "겨울 프로모션 기획", "매장 오픈 이벤트", "신제품 출시 행사 기획",
			"재방문 유도 이벤트", "휴면 고객 이벤트 기획", "추석 맞이 행사", "온라인 이벤트 아이디어 줘", "오프라인 행사 기획안", "이벤트 뭐 할까?",
			"plan a promotion", "event ideas for the season", "marketing event plan with a budget", "come up with a promotional event",
			"plan a holiday promotion", "event plan with a budget of 500,000 won", "ideas for a valentine's day event",
			"promotion to win back dormant customers", "store anniversary event", "low budget offline event",
			"six event plans by budget and channel", "what event should we run this spring?", "campaign ideas for the summer",
			"봄 시즌 프로모션 기획안 만들어줘", "예산 300만원 온라인 이벤트", "오프라인 행사 아이디어 3개", "밸런타인데이 이벤트 어떻게 할까", "여름 한정 행사 계획", "고객 재방문 프로모션 짜줘", "매장 리뉴얼 기념 이벤트", "SNS 이벤트 기획",
			"경품 이벤트 아이디어", "시식 행사 기획", "할로윈 프로모션 계획 세워줘", "연말 감사 이벤트", "이벤트 예산 50만원 정도로 뭐 할까요", "가정의 달 행사", "스탬프 적립 이벤트 기획",
			"plan an event for the new store opening", "promo ideas for black friday", "we have 2 million won, what campaign should we run",
			"design an offline event for families", "online contest ideas for instagram", "event proposal for the autumn season",
			"how should we celebrate our anniversary with customers", "low-cost promotion ideas", "plan a christmas campaign with budget options",
			"event to drive weekday traffic", "brainstorm a promo for chuseok", "loyalty program event plan",
			"can you put together a promotion plan for next month", "행사 뭐 하면 좋을지 제안해줘", "판촉 행사 하나 만들어봐",
		},
	},
	PushCopy: {
		description: "Write the copy of an app push notification or message to customers: headline, push text, call to action.",
		examples: []string{
			"푸시 알림 문구 작성", "할인 알림 메시지 써줘", "앱 푸시 카피 만들어줘", "고객에게 보낼 알림 문구", "푸시 헤드라인 작성",
			"푸시 메시지 써줘", "마감 할인 알림 문구", "VIP 고객 알림 카피", "앱 푸시 제목 추천", "할인 푸시 초안", "이탈 고객에게 보낼 메시지",
			"신제품 알림 문구", "문자 메시지 문구 작성", "푸시 문구 수정해줘",
			"write a push notification", "draft the push message copy", "app notification text for a discount", "write a headline for a push",
			"push copy for the closing sale", "push message announcing the christmas promotion", "이벤트 알림 푸시 문구", "write a notification for VIP members", "draft an app push about 20% off", "catchy push headline",
			"message to send to dormant customers", "notification text for new members", "write the push text and call to action",
			"푸시 한 줄 써줘", "앱 알림 카피 뽑아줘", "마감세일 알림톡 문구", "신메뉴 출시 푸시 써주세요", "할인 쿠폰 안내 문자", "VIP한테 보낼 감성 문구", "푸시 제목이랑 본문", "알림 문구 좀 더 짧게", "고객 알림 초안 부탁",
			"크리스마스 예약 알림 카피", "푸시 카피 톤 좀 밝게", "20% 할인 알림 써줘", "문구 3개 버전으로", "write a catchy push", "notification copy for the new menu",
			"draft an SMS blast for the weekend", "push headline + body for 30% off", "write a reminder notification for lapsed users",
			"short alert text for today's closing sale", "message copy for VIP members about the preorder", "compose a push about free coffee",
			"rewrite this push to sound friendlier", "CTA line for the push", "app push text announcing a 1+1 deal",
			"push for loyal customers about the new croissant", "copy for a kakao message", "notification wording for a coupon", "카톡 메시지 문구 만들어줘", "알림 보낼 멘트",
			"push 문구 ㄱㄱ",
		},
	},
}
