// Package reco holds the recommendation models' files inside a bundle and the scoring that the
// edge and plugins/recommend share, so both answer a cart the same way.
//
// A bundle (package edge/bundle) holds:
//
//	guest.json         Guest: co-purchase neighbours and TF-IDF tag neighbours per item, popularity
//	member.json        MemberSpec: item order of the scores, users with their lookups (index,
//	                   gender, age band, last purchases), context weights
//	member_float.onnx  the two-tower member model, float32
//	member_int8.onnx   the same graph with every weight one int8 byte (a float32 scale per row
//	                   or column), folded to float32 when the session opens
//	probes.json        inputs with the pure-Go reference scores of both graphs, which a runtime
//	                   checks before it trusts a graph
//
// The member graphs take the inputs named in MemberInputs (int64: user [B], gender [B],
// age_band [B], context [B, ContextLen], context_kind [B, ContextLen]) and give "scores"
// [B, items]. Neither graph quantises activations, so any batch size gives every row the scores
// it has alone. Bundles from before may hold other int8 forms (int8 residual planes, dynamic
// activation quantisation); they are ordinary ONNX graphs with their own probes and still load.
package reco

// File names inside a bundle.
const (
	FileGuest  = "guest.json"
	FileMember = "member.json"
	FileFloat  = "member_float.onnx"
	FileInt8   = "member_int8.onnx"
	FileProbes = "probes.json"
)

// The member graphs' input names, in order, and output name.
var MemberInputs = []string{"user", "gender", "age_band", "context", "context_kind"}

// MemberOutput is the member graphs' output: a score per item.
const MemberOutput = "scores"

// Context kinds: what put an item into a member's context.
const (
	KindPad       = 0
	KindPurchased = 1
	KindWishlist  = 2
	KindCart      = 3
)

// Gender codes of the member model. Requests use the seed's 0 = male, 1 = female.
const (
	GenderUnknown = 0
	GenderMale    = 1
	GenderFemale  = 2
)
