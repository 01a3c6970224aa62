package main

// intentExamples are the utterances the host learns the product_recommend intent from, in
// Korean and English: what goes with a product, what to offer a member, what to add to a cart.
// The intent engineer may tune them; the recommend tool reads product, member_id and cart.
var intentExamples = []string{
	// What goes with a product.
	"크루아상이랑 같이 먹으면 좋은 거 추천해줘",
	"크루아상과 잘 어울리는 상품은?",
	"소금빵이랑 같이 사면 좋은 거 뭐야?",
	"라떼랑 어울리는 디저트 추천",
	"이 상품이랑 자주 함께 팔리는 상품 알려줘",
	"what goes well with croissants?",
	"what should I pair with an americano?",
	"recommend something to go with the salt bread",
	"what do people buy together with baguettes?",
	// For a member.
	"회원 12345한테 추천할 상품 알려줘",
	"12345번 회원에게 뭘 추천하면 좋을까?",
	"이 고객한테 맞는 상품 추천해줘",
	"회원 맞춤 추천 상품",
	"what can we offer member 12345?",
	"tailored product list for customer 12345",
	"which products would member 12345 like?",
	// For a cart.
	"장바구니에 우유랑 식빵 있으면 뭘 추천해?",
	"장바구니에 바게트가 있는데 뭘 더 사면 좋을까?",
	"장바구니 기반 추천해줘",
	"my cart has milk and bread, what else should I get?",
	"what else goes with a basket of croissants and coffee?",
	"recommend products for this basket",
	"추천할 상품 골라줘",
	"recommend products",
}
