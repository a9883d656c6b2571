package model

import (
	"encoding/json"
	"testing"
)

// A reference is the string rules see in the input and a typed value in
// Go; a finding's ref becomes a fact again only through the inventory's own
// references, never by parsing (a ref the inventory lacks is nothing).
func TestRefs(t *testing.T) {
	inv := &Inventory{
		Servers: []*Server{{Ref: RefTo(RefServer, 0)}, {Ref: RefTo(RefServer, 1)}},
		Streams: []*Stream{{Ref: RefTo(RefStream, 0), LinkedServers: []Ref{RefTo(RefServer, 1)}}},
		Errors:  []ParseError{{}},
	}
	b, err := json.Marshal(inv.Streams[0])
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Ref    string   `json:"ref"`
		Linked []string `json:"linked_servers"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Ref != "streams/0" || len(back.Linked) != 1 || back.Linked[0] != "servers/1" {
		t.Fatalf("stream as rules see it: %s (%v)", b, err)
	}
	refs := inv.Refs()
	for ref, want := range map[string]Ref{"servers/1": RefTo(RefServer, 1), "streams/0": RefTo(RefStream, 0), "servers/2": {}, "servers/01": {}, "": {}, "errors/0": {}} {
		if got := refs[ref]; got != want {
			t.Errorf("Refs()[%q] = %+v, want %+v", ref, got, want)
		}
	}
	var r Ref
	if err := json.Unmarshal([]byte(`"kube_secrets/12"`), &r); err != nil || r != RefTo(RefKubeSecret, 12) {
		t.Errorf("dumped ref read back as %+v (%v)", r, err)
	}
	if err := json.Unmarshal([]byte(`"servers/x"`), &r); err == nil {
		t.Error(`"servers/x" read as a reference`)
	}
}
