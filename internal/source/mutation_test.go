package source

import (
	"bytes"
	"testing"
)

// TestUnnamed: a file's name says nothing when it has no extension or a
// template one, or when it was named on the command line (issue 20, Go
// mutation testing of the seam).
func TestUnnamed(t *testing.T) {
	for _, tc := range []struct {
		base     string
		explicit bool
		want     bool
	}{
		{"nats", false, true},
		{"server.TXT", false, true},
		{"nats.conf.tmpl", false, true},
		{"values.tpl", false, true},
		{"nats.conf", false, false},
		{"compose.yaml", false, false},
		{"compose.yaml", true, true},
		{"nats", true, true},
	} {
		if got := Unnamed(tc.base, tc.explicit); got != tc.want {
			t.Errorf("Unnamed(%q, %v) = %v, want %v", tc.base, tc.explicit, got, tc.want)
		}
	}
	if !HasExt("a.yml", ".yaml", ".yml") || HasExt("a.yml", ".yaml") || HasExt("a.yml") {
		t.Error("HasExt")
	}
}

// TestLooksText: a NUL in the first 8000 bytes makes a file binary; one
// after them does not.
func TestLooksText(t *testing.T) {
	text := bytes.Repeat([]byte("a"), 9000)
	for _, tc := range []struct {
		nul  int // index of a NUL, -1 none
		size int
		want bool
	}{
		{-1, 9000, true},
		{-1, 0, true},
		{0, 10, false},
		{7999, 9000, false},
		{8000, 9000, true},
		{9, 10, false},
	} {
		d := append([]byte{}, text[:tc.size]...)
		if tc.nul >= 0 {
			d[tc.nul] = 0
		}
		if got := LooksText(d); got != tc.want {
			t.Errorf("NUL at %d of %d: LooksText = %v, want %v", tc.nul, tc.size, got, tc.want)
		}
	}
}

// TestTreeResolveRanks: the longest matching suffix wins whatever the
// order of the candidates; a shorter match never joins the best ones, and
// only a tie is decided by the referring file's directory.
func TestTreeResolveRanks(t *testing.T) {
	tree := NewTree([]string{"a/b/c/nats.conf", "a/nats.conf", "x/c/nats.conf", "y/b/c/nats.conf", "z/nats.conf"})
	if tree.Paths()[1] != "a/nats.conf" || len(tree.Paths()) != 5 {
		t.Errorf("Paths = %v", tree.Paths())
	}
	for _, tc := range []struct {
		from, host, want string
		ok               bool
	}{
		{"q/u.service", "/a/b/c/nats.conf", "a/b/c/nats.conf", true},       // 4 elements over 3 and 1
		{"y/b/u.service", "/etc/b/c/nats.conf", "", false},                 // two of 3, neither in y/b
		{"y/b/c/u.service", "/etc/b/c/nats.conf", "y/b/c/nats.conf", true}, // two of 3, one beside the unit
		{"x/c/u.service", "/c/nats.conf", "x/c/nats.conf", true},           // three of 2, one beside the unit
		{"q/u.service", "/c/nats.conf", "", false},                         // three of 2, none beside
		{"a/u.service", "nats.conf", "a/nats.conf", true},                  // all of 1: the unit's directory
		{"q/u.service", "/etc/other.conf", "", false},
		{"q/u.service", "/etc/nats.conf/", "", false}, // cleaned: still five of 1
	} {
		got, why, ok := tree.Resolve(tc.from, tc.host)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%s, %s) = %q %v (%s), want %q %v", tc.from, tc.host, got, ok, why, tc.want, tc.ok)
		}
		if !ok && why == "" {
			t.Errorf("Resolve(%s, %s): no reason", tc.from, tc.host)
		}
	}
	// a longer match after shorter ones replaces them, a shorter one
	// after it is ignored
	tree = NewTree([]string{"m/nats.conf", "k/etc/nats.conf", "n/nats.conf"})
	if got, _, ok := tree.Resolve("n/u.service", "/etc/nats.conf"); !ok || got != "k/etc/nats.conf" {
		t.Errorf("longer match among shorter ones = %q %v", got, ok)
	}
	if _, why, _ := tree.Resolve("q/u.service", "/srv/nats.conf"); why != "m/nats.conf, k/etc/nats.conf, n/nats.conf all match it" {
		t.Errorf("ambiguity reason = %q", why)
	}
	if _, why, _ := tree.Resolve("q/u.service", "/srv/other.conf"); why != "no file of the scanned tree is named other.conf" {
		t.Errorf("no-match reason = %q", why)
	}
}

// TestTreeResolveWholePath: a file at the root of the tree, whose path is
// all matched by a longer host path, is compared element by element up to
// its first one and no further.
func TestTreeResolveWholePath(t *testing.T) {
	tree := NewTree([]string{"etc/nats/nats.conf", "nats.conf", "srv/nats.conf"})
	for _, tc := range []struct {
		from, host, want string
		ok               bool
	}{
		{"u.service", "/opt/nats.conf", "nats.conf", true},                   // three of 1, one beside the unit
		{"etc/u.service", "/etc/nats/nats.conf", "etc/nats/nats.conf", true}, // 3 over 1 and 1
		{"srv/u.service", "/var/srv/nats.conf", "srv/nats.conf", true},       // 2 over 1
	} {
		got, why, ok := tree.Resolve(tc.from, tc.host)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%s, %s) = %q %v (%s), want %q %v", tc.from, tc.host, got, ok, why, tc.want, tc.ok)
		}
	}
}
