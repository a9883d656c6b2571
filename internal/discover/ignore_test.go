package discover

import "testing"

func TestIgnore(t *testing.T) {
	ig, bad := ParseIgnore([]byte("# comment\n\nexamples/\n*.test.yml\n/local.conf\ndeploy/dev/*.conf\n!deploy/dev/keep.conf\n**/fixtures/**\n\\#odd.conf\n"))
	if len(bad) != 0 {
		t.Fatalf("bad lines %v", bad)
	}
	tests := []struct {
		path string
		dir  bool
		want bool
	}{
		{"examples", true, true},
		{"a/b/examples", true, true},
		{"examples", false, false}, // dir-only pattern, a file named so
		{"x.test.yml", false, true},
		{"deep/er/x.test.yml", false, true},
		{"local.conf", false, true},
		{"sub/local.conf", false, false}, // anchored at the root
		{"deploy/dev/a.conf", false, true},
		{"deploy/dev/keep.conf", false, false}, // negated later
		{"deploy/dev/sub/a.conf", false, false},
		{"a/fixtures/b/c.conf", false, true},
		{"#odd.conf", false, true},
		{"nats.conf", false, false},
	}
	for _, tt := range tests {
		if got := ig.Match(tt.path, tt.dir); got != tt.want {
			t.Errorf("Match(%q, dir=%v) = %v, want %v", tt.path, tt.dir, got, tt.want)
		}
	}
	if _, bad := ParseIgnore([]byte("ok\n[bad\n/\n")); len(bad) != 2 || bad[0] != 2 || bad[1] != 3 {
		t.Errorf("bad lines = %v, want [2 3]", bad)
	}
	var none *Ignore
	if none.Match("x", false) {
		t.Error("nil Ignore matched")
	}
}
