package subject

import (
	"sort"

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
	for _, c := range inv.Consumers {
		if !boundedRedelivery(c) {
			continue
		}
		adv := MaxDeliveriesAdvisory + "." + c.Stream + "." + c.Name
		names := []string{}
		for _, st := range inv.Streams {
			if !sameAccount(st.Account, c.Account) {
				continue
			}
			for _, s := range subjects(st.Config, "subjects") {
				if Matches(s, adv) {
					names = append(names, st.Name)
					break
				}
			}
		}
		sort.Strings(names)
		f.MaxDeliveriesCapture[c.Ref.String()] = dedupe(names)
	}
	return f
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
// Streams are indexed by their subjects' first token so that a large
// inventory is not compared pair by pair; filters starting with a wildcard
// are compared with everything.
func streamOverlaps(streams []*model.Stream) []model.SubjectOverlap {
	type entry struct {
		i    int
		subj string
	}
	byFirst := map[string][]entry{}
	var wild []entry
	for i, st := range streams {
		for _, s := range subjects(st.Config, "subjects") {
			if !Valid(s) {
				continue
			}
			first := firstToken(s)
			if first == "*" || first == ">" {
				wild = append(wild, entry{i, s})
			} else {
				byFirst[first] = append(byFirst[first], entry{i, s})
			}
		}
	}
	seen := map[[2]int]bool{}
	out := []model.SubjectOverlap{}
	try := func(x, y entry) {
		a, b := streams[x.i], streams[y.i]
		if x.i == y.i || a.Name == b.Name || !sameAccount(a.Account, b.Account) {
			return
		}
		if x.i > y.i {
			x, y = y, x
			a, b = b, a
		}
		k := [2]int{x.i, y.i}
		if seen[k] || !Overlap(x.subj, y.subj) {
			return
		}
		seen[k] = true
		out = append(out, model.SubjectOverlap{A: a.Ref.String(), B: b.Ref.String(), SubjectA: x.subj, SubjectB: y.subj})
	}
	firsts := make([]string, 0, len(byFirst))
	for k := range byFirst {
		firsts = append(firsts, k)
	}
	sort.Strings(firsts)
	for _, k := range firsts {
		es := byFirst[k]
		for i := range es {
			for j := i + 1; j < len(es); j++ {
				try(es[i], es[j])
			}
			for _, w := range wild {
				try(es[i], w)
			}
		}
	}
	for i := range wild {
		for j := i + 1; j < len(wild); j++ {
			try(wild[i], wild[j])
		}
	}
	sortOverlaps(out)
	return out
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
