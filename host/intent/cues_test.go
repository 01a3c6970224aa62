package intent

import "testing"

func TestCapabilityCue(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"can you book a table or only look up menus?", true},
		{"do you write the copy or just check it?", true},
		{"너 재고 조회도 돼?", true},
		{"너 할인 쿠폰 발송도 할 수 있어?", true},
		{"여기서 결과 다운로드까지 되나요", true},
		{"can you write a push for VIPs", false},
		{"can you also add an emoji", false},
		{"너 폐기 예측해줘", false},
		{"강남점 재고 알려줘", false},
	} {
		if got := capability(newDoc(tc.text)); got != tc.want {
			t.Errorf("capability(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestCoversCue(t *testing.T) {
	c := newTestClassifier(t)
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"단골 고객이라는 건 한 달에 몇 번 온 사람을 말하는 거야", true},
		{"VIP는 얼마 이상 사야 해당돼요?", true},
		{"위험 고객이라는 게 정확히 어떤 사람이에요", true},
		{"휴면 고객 수 알려줘", false},
		{"VIP 고객한테 보낼 푸시 문구 써줘", false},
	} {
		d := newDoc(tc.text)
		c.ext.extract(d, testNow)
		if got := definitional(d); got != tc.want {
			t.Errorf("definitional(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestPermissionCue(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"can we say 'organic' in the headline?", true},
		{"are we allowed to mention prices in a push", true},
		{"is 'no.1' allowed in ad copy", true},
		{"할인율 최대라고 써도 돼?", true},
		{"write a push saying croissants are 30% off", false},
		{"푸시 문구 써줘", false},
	} {
		if got := permission(newDoc(tc.text)); got != tc.want {
			t.Errorf("permission(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
