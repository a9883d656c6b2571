package image

import "testing"

func TestSplitAndVersion(t *testing.T) {
	for _, tc := range []struct {
		in, repo, tag, digest, version, config string
		nats                                   bool
	}{
		{"nats:2.10.24-alpine", "nats", "2.10.24-alpine", "", "2.10.24", AlpineConfig, true},
		{"docker.io/library/nats:2.11", "docker.io/library/nats", "2.11", "", "2.11", ScratchConfig, true},
		{"registry:5000/nats@sha256:abc", "registry:5000/nats", "", "sha256:abc", "", ScratchConfig, true},
		{"natsio/nats-box:0.14.5", "natsio/nats-box", "0.14.5", "", "0.14.5", ScratchConfig, false},
		{"natsio/nats-server-config-reloader:0.6.2", "natsio/nats-server-config-reloader", "0.6.2", "", "0.6.2", ScratchConfig, false},
		{"nats:latest", "nats", "latest", "", "", ScratchConfig, true},
	} {
		r := Split(tc.in)
		if r.Repo != tc.repo || r.Tag != tc.tag || r.Digest != tc.digest {
			t.Errorf("Split(%q) = %+v", tc.in, r)
		}
		if IsNATS(r.Repo) != tc.nats {
			t.Errorf("IsNATS(%q) = %v", r.Repo, !tc.nats)
		}
		v := Version(r.Tag)
		got := ""
		if v != nil {
			got = v.Value
		}
		if got != tc.version {
			t.Errorf("Version(%q) = %q, want %q", r.Tag, got, tc.version)
		}
		if c := DefaultConfig(r.Tag); c != tc.config {
			t.Errorf("DefaultConfig(%q) = %q", r.Tag, c)
		}
	}
}
