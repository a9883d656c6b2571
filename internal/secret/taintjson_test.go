package secret

import "testing"

// TestTaintJSONRepeatedValues: TaintJSON checks each distinct value once;
// a value seen first under one of the tool's keys (not input) and then as
// input is still tainted, and every tainted value is masked in messages
// however often the document repeats it.
func TestTaintJSONRepeatedValues(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	a.Remember("Pa55-name")
	a.Remember("hunter2")
	doc := `{"servers":[{"kind":"Pa55-name","name":"nats-1"},{"name":"Pa55-name","tags":["hunter2","hunter2","x"]},{"kind":"hunter2","name":"nats-1"}]}`
	if err := a.TaintJSON([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"server Pa55-name is clustered": "server **** is clustered",
		"tag hunter2 of server nats-1":  "tag **** of server nats-1",
	} {
		if got := a.RedactText(in); got != want {
			t.Errorf("RedactText(%q) = %q, want %q", in, got, want)
		}
	}
	b, _ := NewAnalyzer(Params{})
	b.Remember("compose")
	if err := b.TaintJSON([]byte(`{"kind":"compose","origin":"compose"}`)); err != nil {
		t.Fatal(err)
	}
	if got := b.RedactText("source compose"); got != "source compose" {
		t.Errorf("a tool word only seen under the tool's keys was tainted: %q", got)
	}
}
