package subject

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// pairwiseStreamOverlaps is streamOverlaps before the token trie, kept
// as the reference: pairs of differently named streams whose subjects overlap.
// Streams are indexed by their subjects' first token so that a large
// inventory is not compared pair by pair; filters starting with a wildcard
// are compared with everything.
func pairwiseStreamOverlaps(streams []*model.Stream) []model.SubjectOverlap {
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

// TestStreamOverlapsIndexAgreesWithPairs: the trie finds the same stream
// pairs as comparing every pair, and quotes the same subject pair for each
// (reports and fingerprints show it), on random inventories dense in
// overlaps: few tokens, wildcards anywhere, shared names, accounts, invalid
// subjects.
func TestStreamOverlapsIndexAgreesWithPairs(t *testing.T) {
	toks := []string{"a", "b", "c", "*", ">", "a", "b", "*", ">", "a", "b", "*", ">", ""} // "" (invalid) now and then
	rnd := rand.New(rand.NewSource(18))
	pairs := 0
	for round := 0; round < 300; round++ {
		var streams []*model.Stream
		for i := 0; i < 1+rnd.Intn(30); i++ {
			var subs []any
			for j := 0; j < rnd.Intn(4); j++ {
				n := 1 + rnd.Intn(3)
				s := ""
				for k := 0; k < n; k++ {
					if k > 0 {
						s += "."
					}
					s += toks[rnd.Intn(len(toks))]
				}
				subs = append(subs, s)
			}
			acc := []string{"", "A", "B"}[rnd.Intn(3)]
			streams = append(streams, stream(model.RefTo(model.RefStream, i), fmt.Sprintf("S%d", rnd.Intn(20)), acc, map[string]any{"subjects": subs}))
		}
		got, want := streamOverlaps(streams), pairwiseStreamOverlaps(streams)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d:\n got %+v\nwant %+v", round, got, want)
		}
		pairs += len(want)
	}
	if pairs < 1000 {
		t.Fatalf("only %d overlapping pairs in all rounds: the comparison proves little", pairs)
	}
}

// probeScaleStreams: the streams of issue 14's probe benchmark (1,002 R1
// streams on "s.<name>.>"), which share their first token.
func probeScaleStreams() []*model.Stream {
	var streams []*model.Stream
	for i := 0; i < 1002; i++ {
		name := fmt.Sprintf("S%04d", i)
		streams = append(streams, stream(model.RefTo(model.RefStream, i), name, "$G", map[string]any{"subjects": []any{"s." + name + ".>"}}))
	}
	return streams
}

func TestStreamOverlapsProbeScale(t *testing.T) {
	streams := probeScaleStreams()
	if got := streamOverlaps(streams); len(got) != 0 {
		t.Fatalf("%d overlaps among streams on disjoint subjects", len(got))
	}
	// One stream capturing everything overlaps each other name once.
	streams = append(streams, stream(model.RefTo(model.RefStream, len(streams)), "ALL", "$G", map[string]any{"subjects": []any{">"}}))
	got := streamOverlaps(streams)
	names := map[string]bool{}
	for _, o := range got {
		if o.B != streams[len(streams)-1].Ref.String() || o.SubjectB != ">" {
			t.Fatalf("unexpected overlap %+v", o)
		}
		names[o.A] = true
	}
	if len(got) != 1002 || len(names) != 1002 {
		t.Fatalf("%d overlaps with the catch-all stream, want %d", len(got), 1002)
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return refLess(got[i].A, got[j].A) }) {
		t.Error("not sorted")
	}
}

func BenchmarkStreamOverlapsProbeScale(b *testing.B) {
	streams := probeScaleStreams()
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			streamOverlaps(streams)
		}
	})
	b.Run("pairwise", func(b *testing.B) {
		for b.Loop() {
			pairwiseStreamOverlaps(streams)
		}
	})
}

// pairwiseMaxDeliveriesCapture is the capture before the trie, kept as the
// reference: every bounded consumer against every stream's subjects.
func pairwiseMaxDeliveriesCapture(streams []*model.Stream, consumers []*model.Consumer) map[string][]string {
	out := map[string][]string{}
	for _, c := range consumers {
		if !boundedRedelivery(c) {
			continue
		}
		adv := MaxDeliveriesAdvisory + "." + c.Stream + "." + c.Name
		names := []string{}
		for _, st := range streams {
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
		out[c.Ref.String()] = dedupe(names)
	}
	return out
}

// TestMaxDeliveriesCaptureIndexAgreesWithPairs: the trie finds the same
// capturing streams as the loop over every stream, on random inventories
// of advisory-shaped subjects with wildcards anywhere, consumer and stream
// names that are wildcards or hold dots, shared names, accounts and invalid
// subjects.
func TestMaxDeliveriesCaptureIndexAgreesWithPairs(t *testing.T) {
	toks := []string{"MAX_DELIVERIES", "S", "T", "c", "d", "*", ">", "*", ">", ""}
	names := []string{"S", "T", "c", "d", "*", ">", "S.c", "x.>", ""}
	rnd := rand.New(rand.NewSource(18))
	matched := 0
	for round := 0; round < 2000; round++ {
		var streams []*model.Stream
		for i := 0; i < rnd.Intn(20); i++ {
			var subs []any
			for j := 0; j < rnd.Intn(4); j++ {
				s := ""
				switch rnd.Intn(4) {
				case 0, 1: // the advisory prefix, then random tokens
					s = MaxDeliveriesAdvisory
				case 2:
					s = "$JS.EVENT.ADVISORY.CONSUMER"
				}
				for k := 0; k < 1+rnd.Intn(3); k++ {
					if s != "" || k > 0 {
						s += "."
					}
					s += toks[rnd.Intn(len(toks))]
				}
				subs = append(subs, s)
			}
			acc := []string{"", "A", "B"}[rnd.Intn(3)]
			streams = append(streams, stream(model.RefTo(model.RefStream, i), fmt.Sprintf("D%d", rnd.Intn(8)), acc, map[string]any{"subjects": subs}))
		}
		var consumers []*model.Consumer
		for i := 0; i < rnd.Intn(20); i++ {
			consumers = append(consumers, &model.Consumer{
				Ref: model.RefTo(model.RefConsumer, i), Name: names[rnd.Intn(len(names))], Stream: names[rnd.Intn(len(names))],
				Account: []string{"", "A", "B"}[rnd.Intn(3)],
				Config:  map[string]any{"ack_policy": "explicit", "max_deliver": int64(rnd.Intn(3) - 1)},
			})
		}
		got, want := maxDeliveriesCapture(streams, consumers), pairwiseMaxDeliveriesCapture(streams, consumers)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d:\n got %v\nwant %v", round, got, want)
		}
		for _, n := range want {
			matched += len(n)
		}
	}
	if matched < 300 {
		t.Fatalf("only %d capturing streams in all rounds: the comparison proves little", matched)
	}
}

// TestMaxDeliveriesCaptureScalesLinearly: four times the consumers and
// streams cost about four times the allocations, not sixteen (the loop over
// every stream per consumer allocated each stream's subject list per
// consumer). Allocation counts do not depend on the machine's load.
func TestMaxDeliveriesCaptureScalesLinearly(t *testing.T) {
	inv := func(n int) ([]*model.Stream, []*model.Consumer) {
		var streams []*model.Stream
		var consumers []*model.Consumer
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("S%05d", i)
			streams = append(streams, stream(model.RefTo(model.RefStream, i), name, "", map[string]any{"subjects": []any{"s." + name + ".>", "t." + name}}))
			consumers = append(consumers, &model.Consumer{Ref: model.RefTo(model.RefConsumer, i), Name: "c", Stream: name,
				Config: map[string]any{"ack_policy": "explicit", "max_deliver": int64(5)}})
		}
		streams = append(streams, stream(model.RefTo(model.RefStream, n), "DLQ", "", map[string]any{"subjects": []any{MaxDeliveriesAdvisory + ".>"}}))
		return streams, consumers
	}
	allocs := func(n int) float64 {
		s, c := inv(n)
		if got := maxDeliveriesCapture(s, c); len(got) != n || len(got["consumers/0"]) != 1 {
			t.Fatalf("capture of %d consumers: %d entries, consumers/0: %v", n, len(got), got["consumers/0"])
		}
		return testing.AllocsPerRun(3, func() { maxDeliveriesCapture(s, c) })
	}
	a, b := allocs(250), allocs(1000)
	if b/a > 8 {
		t.Fatalf("allocations grow %.1fx for 4x the consumers and streams (%.0f -> %.0f): a join of consumers with streams", b/a, a, b)
	}
	t.Logf("allocations %.0f -> %.0f (x%.1f)", a, b, b/a)
}
