package compose

import "testing"

// TestProjectDirAndLocate: a project's directory is its first file's, and a
// file named in it is found relative to the naming file, then the project
// directory; absolute, home-relative and empty names are never looked up
// (issue 20, Go mutation testing).
func TestProjectDirAndLocate(t *testing.T) {
	p := Load([]Input{{Rel: "app/docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n")}}, Options{})
	if p.Dir != "app" || len(p.Services) != 1 {
		t.Fatalf("project = dir %q, %d services", p.Dir, len(p.Services))
	}
	l := &loader{p: &Project{Dir: "app"}, given: map[string][]byte{"app/inc/x.env": nil, "app/y.env": nil,
		// what an absolute or ~ name would wrongly join to
		"app/inc/etc/x.env": nil, "app/inc/~/x.env": nil}}
	for _, tc := range []struct {
		from, name, want string
		ok               bool
	}{
		{"app/inc/compose.yml", "x.env", "app/inc/x.env", true},
		{"app/inc/compose.yml", "y.env", "app/y.env", true},
		{"app/inc/compose.yml", "", "", false},
		{"app/inc/compose.yml", "/etc/x.env", "", false},
		{"app/inc/compose.yml", "~/x.env", "", false},
	} {
		got, ok := l.locate(tc.from, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("locate(%s, %q) = %q %v, want %q %v", tc.from, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestWalkerBudget: a walk may visit budget nodes and no more (the alias
// bomb tests that also show it are time-bounded, and the mutation run
// skips them).
func TestWalkerBudget(t *testing.T) {
	w := &walker{budget: 2}
	for i, want := range []error{nil, nil, errBudget, errBudget} {
		if got := w.spend(); got != want {
			t.Errorf("spend %d = %v, want %v", i+1, got, want)
		}
	}
}
