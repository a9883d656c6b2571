package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// RefKind is the collection of the inventory a reference points into.
type RefKind string

// The collections findings point at.
const (
	RefServer      RefKind = "servers"
	RefStream      RefKind = "streams"
	RefConsumer    RefKind = "consumers"
	RefLiveAccount RefKind = "live_accounts"
	RefEnvFile     RefKind = "env_files"
	RefCredential  RefKind = "credentials"
	RefFile        RefKind = "files"
	RefKubeSecret  RefKind = "kube_secrets"
	RefError       RefKind = "errors"
)

// Ref is a typed reference to one fact of the inventory: its collection
// and its index there. Rules see it as the string "servers/3" (the
// input's ref: fields) and name it back in their findings; audit maps
// that string to the Ref through the inventory's own references
// (Inventory.Refs), so nothing is parsed back out of a string.
type Ref struct {
	Kind  RefKind
	Index int
}

// RefTo is the reference to the i-th fact of kind.
func RefTo(kind RefKind, i int) Ref { return Ref{Kind: kind, Index: i} }

// IsZero reports whether r references nothing.
func (r Ref) IsZero() bool { return r.Kind == "" }

// String is the reference as rules see it ("servers/3"; "" for none).
func (r Ref) String() string {
	if r.IsZero() {
		return ""
	}
	return string(r.Kind) + "/" + strconv.Itoa(r.Index)
}

// MarshalJSON writes the reference as rules see it.
func (r Ref) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads a reference back from a dumped inventory
// (--dump-inventory); the audit path never needs it (Refs).
func (r *Ref) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*r = Ref{}
		return nil
	}
	i := strings.LastIndexByte(s, '/')
	n, err := strconv.Atoi(s[i+1:])
	if i < 0 || err != nil || n < 0 {
		return fmt.Errorf("reference %q: not <kind>/<index>", s)
	}
	*r = Ref{Kind: RefKind(s[:i]), Index: n}
	return nil
}

// Refs maps every reference of the inventory, as rules see it, to the
// typed reference: how a finding's ref becomes a fact again.
func (inv *Inventory) Refs() map[string]Ref {
	out := map[string]Ref{}
	add := func(r Ref) {
		if !r.IsZero() {
			out[r.String()] = r
		}
	}
	for _, s := range inv.Servers {
		add(s.Ref)
	}
	for _, s := range inv.Streams {
		add(s.Ref)
	}
	for _, c := range inv.Consumers {
		add(c.Ref)
	}
	for _, a := range inv.LiveAccounts {
		add(a.Ref)
	}
	for _, e := range inv.EnvFiles {
		add(e.Ref)
	}
	for _, c := range inv.Credentials {
		add(c.Ref)
	}
	for _, f := range inv.Files {
		add(f.Ref)
	}
	for _, s := range inv.KubeSecrets {
		add(s.Ref)
	}
	for _, e := range inv.Errors {
		add(e.Ref)
	}
	return out
}

// JSONSchema is the reference's schema in the input: a string.
func (Ref) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }
