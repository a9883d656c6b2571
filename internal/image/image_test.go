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

// Images by what runs: mirrors and distributions are NATS, NATS Streaming
// is not a nats-server version, clients are not servers.
func TestKindVersionConfig(t *testing.T) {
	tests := []struct {
		ref           string
		kind          Kind
		version, conf string
	}{
		{"nats:2.10.16", NATS, "2.10.16", ScratchConfig},
		{"nats", NATS, "", ScratchConfig},
		{"nats:latest", NATS, "", ScratchConfig},
		{"nats:2.10-alpine", NATS, "2.10", AlpineConfig},
		{"nats:alpine3.22", NATS, "", AlpineConfig},
		{"nats:2.10-windowsservercore-ltsc2022", NATS, "2.10", ""},
		{"docker.io/library/nats:2.11.9@sha256:abcd", NATS, "2.11.9", ScratchConfig},
		{"registry.example.com:5000/library/nats:2.10", NATS, "2.10", ScratchConfig},
		{"opencsg-registry.cn-beijing.cr.aliyuncs.com/opencsg_public/csghub_nats:2.10.16", NATS, "2.10.16", ScratchConfig},
		{"bitnami/nats:2.10.20", NATS, "2.10.20", BitnamiConfig},
		{"synadia/nats-server:nightly", NATS, "", ScratchConfig},
		{"nats-streaming:0.25.3", Streaming, "", ""},
		{"docker.io/nats-streaming:0.25.3-alpine", Streaming, "", ""},
		{"natsio/nats-box:0.14.5", Other, "", ""},
		{"natsio/prometheus-nats-exporter:0.15.0", Other, "", ""},
		{"natsio/nats-server-config-reloader:0.6.2", Other, "", ""},
		{"myorg/app:2.10.1", Other, "", ""},
	}
	for _, tt := range tests {
		r := Split(tt.ref)
		v := ""
		if sv := ServerVersion(r); sv != nil {
			v = sv.Value
		}
		if KindOf(r.Repo) != tt.kind || v != tt.version || DefaultConfigOf(r) != tt.conf {
			t.Errorf("%s: kind %d version %q config %q, want %d %q %q", tt.ref, KindOf(r.Repo), v, DefaultConfigOf(r), tt.kind, tt.version, tt.conf)
		}
		if IsNATS(r.Repo) != (tt.kind != Other) {
			t.Errorf("IsNATS(%s) = %v", r.Repo, IsNATS(r.Repo))
		}
	}
}
