package discover

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Each file's source gives its kind and the comment syntax of its inline
// ignores (before the seam: a switch over kinds in audit).
func TestSourcesGiveKindAndComments(t *testing.T) {
	dir := t.TempDir()
	files := []struct {
		name, content, kind string
		comments            source.Comments
	}{
		{"nats.conf", "port: 4222\n", KindNatsConf, source.HashSlash},
		{"docker-compose.yml", "services:\n  n:\n    image: nats\n", KindCompose, source.Hash},
		{"allinone.yml", "services:\n  n:\n    image: nats:2.10\n", KindCompose, source.Hash},
		{".env", "A=1\n", KindEnv, source.Hash},
		{"stream.json", `{"subjects": ["a"]}`, KindStream, source.NoComments},
		{"nack.yaml", "apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\n", KindStream, source.Hash},
		{"sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\n", KindKube, source.Hash},
		{"values.yaml", "config: {}\n", KindHelmValues, source.Hash},
		{"ctx.json", `{"url": "nats://x", "token": "t"}`, KindContext, source.NoComments},
		{"run.sh", "nats-server -p 4222\n", KindScript, source.NoComments},
		{"start", "#!/bin/sh\nnats-server\n", KindScript, source.NoComments},
		{"other", "#!/bin/sh\nmax_payload: 1\n", "", 0},                  // a script not about nats: nobody's
		{"server", "max_payload: 1MB\n", KindNatsConf, source.HashSlash}, // no extension: content
		{"key.pem", "-----BEGIN PRIVATE KEY-----\n", KindPrivateKey, source.NoComments},
		{"ca.crt", "-----BEGIN CERTIFICATE-----\n", KindCert, source.NoComments},
		{"a.creds", "x", KindCreds, source.NoComments},
		{"a.jwt", "x", KindJWT, source.NoComments},
		{"notes.md", "max_payload: 1\n", "", 0},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Walk(context.Background(), dir, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*File{}
	for _, f := range res.Files {
		got[f.Rel] = f
	}
	for _, want := range files {
		f := got[want.name]
		if want.kind == "" {
			if f != nil {
				t.Errorf("%s: read as %s, want not an input", want.name, f.Kind)
			}
			continue
		}
		if f == nil {
			t.Errorf("%s: not read, want %s", want.name, want.kind)
			continue
		}
		if f.Kind != want.kind || f.Comments() != want.comments {
			t.Errorf("%s: kind %s comments %d, want %s %d", want.name, f.Kind, f.Comments(), want.kind, want.comments)
		}
	}
}
