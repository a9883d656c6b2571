package model

import (
	"encoding/json"
	"sync"

	"github.com/invopop/jsonschema"
)

// InputSchema is the JSON Schema of the Rego input (the Inventory as
// json.Marshal writes it), reflected from these types so it can't drift
// from them. The engine compiles every rule against it: a rule that reads
// input.servrs, or s.deployment.flagz of a server, fails to compile with
// the list of fields there are, instead of silently never firing. Free-form
// documents (a server's config, live monitoring documents) are open
// objects: any key may be read there.
func InputSchema() []byte {
	schemaOnce.Do(func() {
		r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, AllowAdditionalProperties: false}
		s := r.Reflect(&Inventory{})
		s.ID = "https://natsaudit.dev/schemas/input-v1.json"
		s.Title = "natsaudit rule input"
		s.Description = "What input holds when natsaudit evaluates a Rego rule (docs/model.md, docs/writing-rules.md)."
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			panic("model: input schema: " + err.Error()) // the types are fixed: a failure is a bug here
		}
		schemaJSON = append(b, '\n')
	})
	return schemaJSON
}

var (
	schemaOnce sync.Once
	schemaJSON []byte
)
