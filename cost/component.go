package cost

// Pseudo-team ids. Real team ids never start with an underscore.
const (
	// Central holds the central carve-out: the platform's own cost and the
	// central share of evals, funded by the central budget line.
	Central = "_central"
	// Unallocated holds cost that resolved to no registered team.
	Unallocated = "_unallocated"
)

// TeamRank orders teams in reports: registered teams (0), then Central
// (1), then Unallocated (2).
func TeamRank(team string) int {
	switch team {
	case Central:
		return 1
	case Unallocated:
		return 2
	}
	return 0
}

// Unclassified is the action class of a team's cost line that no tag, rule
// or gateway record classified. It is charged like a class and counted as a
// tagging gap.
const Unclassified = "unclassified"

// Component is the kind of an allocation row (SPEC §7).
type Component string

// The allocation components, in the order reports list them.
const (
	CompUsage            Component = "usage"
	CompOverhead         Component = "overhead"
	CompRegistry         Component = "registry"
	CompBufferSurcharge  Component = "buffer_surcharge"
	CompEval             Component = "eval"
	CompSeat             Component = "seat"
	CompBufferDraw       Component = "buffer_draw"
	CompUnallocatedShare Component = "unallocated_share"
	CompCentralEval      Component = "central_eval"
	CompCentralRegistry  Component = "central_registry"
	CompCentralPlatform  Component = "central_platform"
	CompUnallocated      Component = "unallocated"
)

// Components lists every component in report order.
var Components = []Component{
	CompUsage, CompOverhead, CompRegistry, CompBufferSurcharge, CompEval, CompSeat,
	CompBufferDraw, CompUnallocatedShare, CompCentralEval, CompCentralRegistry,
	CompCentralPlatform, CompUnallocated,
}

// Order returns the component's position in [Components], or len(Components).
func (c Component) Order() int {
	for i, x := range Components {
		if x == c {
			return i
		}
	}
	return len(Components)
}

// Eval scopes (SPEC §3).
const (
	ScopeNone     = "none"
	ScopeDomain   = "domain"
	ScopeBaseline = "baseline"
)

// ValidEvalScope reports whether s is one of none, domain, baseline.
func ValidEvalScope(s string) bool {
	return s == ScopeNone || s == ScopeDomain || s == ScopeBaseline
}

// Model is an operating model preset (SPEC §4).
type Model string

// The three operating models.
const (
	ModelPlatform Model = "platform"
	ModelFinOps   Model = "finops"
	ModelIT       Model = "it"
)

// ParseModel parses platform, finops or it.
func ParseModel(s string) (Model, bool) {
	switch Model(s) {
	case ModelPlatform, ModelFinOps, ModelIT:
		return Model(s), true
	}
	return "", false
}
