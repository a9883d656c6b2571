package subject

import (
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// MaxDeliveriesAdvisory is the subject prefix of the advisory the server
// publishes when a message reaches a consumer's max_deliver; the stream and
// consumer names follow.
const MaxDeliveriesAdvisory = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"

// Facts derives the subject facts of the inventory. Streams and consumers
// from files carry no account ("") and are compared with those of every
// account: a definition in the repository is created in some account of the
// servers it is applied to.
func Facts(inv *model.Inventory) *model.Facts {
	f := &model.Facts{
		StreamOverlaps:       []model.SubjectOverlap{},
		ConsumerOverlaps:     []model.SubjectOverlap{},
		MaxDeliveriesCapture: map[string][]string{},
		ConfigJWTs:           map[string][]*model.JWT{},
	}
	f.StreamOverlaps = streamOverlaps(inv.Streams)
	f.ConsumerOverlaps = consumerOverlaps(inv.Streams, inv.Consumers)
	f.MaxDeliveriesCapture = maxDeliveriesCapture(inv.Streams, inv.Consumers)
	return f
}

// maxDeliveriesCapture: for each consumer whose redelivery is bounded, the
// names of the streams of its account whose subjects match its
// max-deliveries advisory. The streams' subjects go into a token trie once
// and each advisory walks it (a literal token follows its branch, "*" and
// ">" branches too), so the work follows the streams that match instead of
// every consumer times every stream: on the 5,000-file bench repo that loop
// was 1,200 consumers x 5,000 streams x their subjects, and grew with the
// square of the repo. The trie finds the filters that overlap the advisory,
// a superset of those that match it; Matches decides, as before.
func maxDeliveriesCapture(streams []*model.Stream, consumers []*model.Consumer) map[string][]string {
	out := map[string][]string{}
	type entry struct {
		st   *model.Stream
		subj string
	}
	var entries []entry
	root := &trieNode{}
	built := false
	for _, c := range consumers {
		if !boundedRedelivery(c) {
			continue
		}
		if !built {
			for _, st := range streams {
				for _, s := range subjects(st.Config, "subjects") {
					if Valid(s) {
						root.insert(strings.Split(s, "."), len(entries))
						entries = append(entries, entry{st, s})
					}
				}
			}
			built = true
		}
		adv := MaxDeliveriesAdvisory + "." + c.Stream + "." + c.Name
		names := []string{}
		if Valid(adv) {
			root.overlapping(strings.Split(adv, "."), func(e int) {
				x := entries[e]
				if sameAccount(x.st.Account, c.Account) && Matches(x.subj, adv) {
					names = append(names, x.st.Name)
				}
			})
		}
		sort.Strings(names)
		out[c.Ref.String()] = dedupe(names)
	}
	return out
}

func boundedRedelivery(c *model.Consumer) bool {
	if c.Name == "" || c.Stream == "" || !Valid(c.Stream) || !Valid(c.Name) {
		return false
	}
	if ap, _ := c.Config["ack_policy"].(string); ap == "" || ap == "none" {
		return false
	}
	return intOf(c.Config["max_deliver"]) > 0
}

func sameAccount(a, b string) bool { return a == b || a == "" || b == "" }

// streamOverlaps: pairs of differently named streams whose subjects overlap.
// Every valid subject goes into a token trie once; each subject then finds
// the subjects it overlaps by walking the trie (literal tokens follow one
// branch and the "*" one, wildcards fan out), so the work follows the
// overlaps found instead of the pairs of streams: 1,002 streams on
// "s.<name>.>" share their first token and were compared pair by pair.
//
// When two streams overlap on several subject pairs, the pair reported is
// the one the former comparison met first (streams grouped by the first
// token, groups in sorted order, filters starting with a wildcard last):
// reports and fingerprints quote it.
func streamOverlaps(streams []*model.Stream) []model.SubjectOverlap {
	type entry struct {
		i    int // stream
		subj string
		// order: where the former pairwise comparison met this subject:
		// its group's rank (wildcard-first subjects last) and its position
		// in the group.
		group, pos int
	}
	var entries []entry
	byFirst := map[string][]int{}
	var wild []int
	for i, st := range streams {
		for _, s := range subjects(st.Config, "subjects") {
			if !Valid(s) {
				continue
			}
			e := len(entries)
			entries = append(entries, entry{i: i, subj: s})
			if first := firstToken(s); first == "*" || first == ">" {
				entries[e].pos = len(wild)
				wild = append(wild, e)
			} else {
				entries[e].pos = len(byFirst[first])
				byFirst[first] = append(byFirst[first], e)
			}
		}
	}
	firsts := make([]string, 0, len(byFirst))
	for k := range byFirst {
		firsts = append(firsts, k)
	}
	sort.Strings(firsts)
	for rank, k := range firsts {
		for _, e := range byFirst[k] {
			entries[e].group = rank
		}
	}
	for _, e := range wild {
		entries[e].group = len(firsts)
	}
	// less: pair (x, y) was met before pair (u, v) by the pairwise loop,
	// which took a subject of a group, the later ones of its group, then
	// the wildcard-first ones.
	key := func(x, y int) [4]int {
		a, b := entries[x], entries[y]
		if a.group > b.group || (a.group == b.group && a.pos > b.pos) {
			a, b = b, a
		}
		if a.group == b.group {
			return [4]int{a.group, a.pos, 0, b.pos}
		}
		return [4]int{a.group, a.pos, 1, b.pos}
	}
	less := func(p, q [4]int) bool {
		for i := range p {
			if p[i] != q[i] {
				return p[i] < q[i]
			}
		}
		return false
	}

	root := &trieNode{}
	for e, x := range entries {
		root.insert(strings.Split(x.subj, "."), e)
	}
	type found struct {
		x, y int // entries, x of the lower stream
		k    [4]int
	}
	best := map[[2]int]found{}
	for x, ex := range entries {
		root.overlapping(strings.Split(ex.subj, "."), func(y int) {
			ey := entries[y]
			if y <= x || ex.i == ey.i {
				return
			}
			a, b := streams[ex.i], streams[ey.i]
			if a.Name == b.Name || !sameAccount(a.Account, b.Account) {
				return
			}
			lo, hi := x, y
			if ex.i > ey.i {
				lo, hi = y, x
			}
			pair := [2]int{entries[lo].i, entries[hi].i}
			k := key(x, y)
			if f, ok := best[pair]; !ok || less(k, f.k) {
				best[pair] = found{lo, hi, k}
			}
		})
	}
	out := make([]model.SubjectOverlap, 0, len(best))
	for _, f := range best {
		a, b := entries[f.x], entries[f.y]
		out = append(out, model.SubjectOverlap{A: streams[a.i].Ref.String(), B: streams[b.i].Ref.String(), SubjectA: a.subj, SubjectB: b.subj})
	}
	sortOverlaps(out)
	return out
}

// trieNode indexes subject filters by token: kids by the next token ("*"
// and ">" included), ends the filters (by id) that end here.
type trieNode struct {
	kids map[string]*trieNode
	ends []int
}

func (n *trieNode) insert(toks []string, id int) {
	for _, t := range toks {
		if n.kids == nil {
			n.kids = map[string]*trieNode{}
		}
		c := n.kids[t]
		if c == nil {
			c = &trieNode{}
			n.kids[t] = c
		}
		n = c
	}
	n.ends = append(n.ends, id)
}

// overlapping calls emit once for every indexed filter that overlaps the
// valid filter toks (Overlap's semantics).
func (n *trieNode) overlapping(toks []string, emit func(int)) {
	if len(toks) == 0 {
		for _, id := range n.ends {
			emit(id)
		}
		return
	}
	t := toks[0]
	if t == ">" {
		// One or more tokens: every filter longer than this prefix.
		for _, c := range n.kids {
			c.all(emit)
		}
		return
	}
	if c := n.kids[">"]; c != nil {
		for _, id := range c.ends {
			emit(id)
		}
	}
	if t == "*" {
		for k, c := range n.kids {
			if k != ">" {
				c.overlapping(toks[1:], emit)
			}
		}
		return
	}
	if c := n.kids[t]; c != nil {
		c.overlapping(toks[1:], emit)
	}
	if c := n.kids["*"]; c != nil {
		c.overlapping(toks[1:], emit)
	}
}

func (n *trieNode) all(emit func(int)) {
	for _, id := range n.ends {
		emit(id)
	}
	for _, c := range n.kids {
		c.all(emit)
	}
}

// consumerOverlaps: pairs of consumers of one work-queue stream whose
// filters overlap (no filter means the whole stream). The server refuses the
// second such consumer, since a work-queue message goes to one consumer.
func consumerOverlaps(streams []*model.Stream, consumers []*model.Consumer) []model.SubjectOverlap {
	wq := map[string]bool{} // stream name
	for _, st := range streams {
		if r, _ := st.Config["retention"].(string); r == "workqueue" {
			wq[st.Name] = true
		}
	}
	byStream := map[string][]*model.Consumer{}
	var names []string
	for _, c := range consumers {
		if !wq[c.Stream] {
			continue
		}
		if _, ok := byStream[c.Stream]; !ok {
			names = append(names, c.Stream)
		}
		byStream[c.Stream] = append(byStream[c.Stream], c)
	}
	sort.Strings(names)
	out := []model.SubjectOverlap{}
	for _, n := range names {
		cs := byStream[n]
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				a, b := cs[i], cs[j]
				if a.Name == b.Name || !sameAccount(a.Account, b.Account) {
					continue
				}
			pairs:
				for _, x := range filters(a) {
					for _, y := range filters(b) {
						if Overlap(x, y) {
							out = append(out, model.SubjectOverlap{A: a.Ref.String(), B: b.Ref.String(), SubjectA: x, SubjectB: y})
							break pairs
						}
					}
				}
			}
		}
	}
	sortOverlaps(out)
	return out
}

func filters(c *model.Consumer) []string {
	fs := subjects(c.Config, "filter_subjects")
	if s, _ := c.Config["filter_subject"].(string); s != "" {
		fs = append(fs, s)
	}
	if len(fs) == 0 {
		return []string{">"}
	}
	return fs
}

func subjects(cfg map[string]any, key string) []string {
	var out []string
	switch v := cfg[key].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, v...)
	case string:
		out = append(out, v)
	}
	return out
}

func firstToken(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i]
		}
	}
	return s
}

func intOf(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func sortOverlaps(o []model.SubjectOverlap) {
	sort.Slice(o, func(i, j int) bool {
		if o[i].A != o[j].A {
			return refLess(o[i].A, o[j].A)
		}
		return refLess(o[i].B, o[j].B)
	})
}

// refLess orders "streams/2" before "streams/10".
func refLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
