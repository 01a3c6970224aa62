package main

import "github.com/crumb-dev/crumb/tools"

// The example utterances the host's router learns each tool's intent from.
// They live here, apart from the tools, so that whoever tunes the intent
// classifier can change them without reading the tool code.

// eventPlanExamples are requests for event plans.
var eventPlanExamples = []string{
	"겨울맞이 이벤트 아이디어 줘",
	"50만원으로 강남점 오프라인 이벤트 추천",
	"성탄절 행사 계획 세워줘",
	"예산 300만원으로 할 수 있는 이벤트 추천해줘",
	"신규 고객 유치 이벤트 아이디어",
	"홍대점 봄 시즌 프로모션 계획 세워줘",
	"추석 이벤트 뭐 하면 좋을까",
	"우수 고객 대상 이벤트 아이디어",
	"온라인 이벤트 기획안 6개 보여줘",
	"organise a winter promotion",
	"christmas event plan on a 500k won budget",
	"plan an offline promotion for Gangnam with 1,000,000 won",
	"give me event plans for the spring season",
	"promotion ideas to bring back customers",
	"suggest online and offline events for our bakery",
}

// pushCopyExamples are requests for push notification copy.
var pushCopyExamples = []string{
	"크루아상 푸시 문구 써줘",
	"마감 할인 푸시 문구 만들어줘",
	"VIP 회원에게 보낼 알림 메시지 써줘",
	"휴면 고객에게 보낼 푸시 메시지",
	"소금빵 할인 알림 카피 작성해줘",
	"오늘 저녁 할인 푸시 헤드라인 추천",
	"write push copy for croissant for VIPs",
	"draft a push notification for tonight's discount",
	"write a push to win back dormant customers",
	"write an app notification about 30% off cheesecake",
	"headline and push text for the salt bread offer",
}

func eventPlanIntent() tools.ToolOption {
	return both(tools.WithIntent("event_plan", eventPlanExamples...),
		tools.WithDescription("ko", "매장 프로필에 맞춘 이벤트 기획안 6개(예산 낮음·중간·높음 × 온라인·오프라인)를 가장 비슷한 과거 이벤트를 바탕으로 만듭니다: 트렌드, 제목, 경품, 참여 방법, 예상 참여자, 비용, ROI."))
}

func pushCopyIntent() tools.ToolOption {
	return both(tools.WithIntent("push_copy", pushCopyExamples...),
		tools.WithDescription("ko", "상품과 고객 세그먼트에 맞는 푸시 알림(제목, 본문, 행동 문구)을 씁니다: 상품이 주인공이고, 금지어는 쓰지 않으며, 길이 제한을 지킵니다."))
}

func both(a, b tools.ToolOption) tools.ToolOption {
	return func(ti *tools.ToolInfo) { a(ti); b(ti) }
}
