package assemble

import (
	"context"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

func build(t *testing.T, root string, projects ...[]string) *model.Inventory {
	t.Helper()
	d, err := discover.Walk(context.Background(), root, []string{root}, discover.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme", "MUST_SET_IN_PRODUCTION"}})
	return Build(d, root, Options{Secrets: a, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), ComposeProjects: projects})
}

func TestSahoolComposeAndConfigAreOneServer(t *testing.T) {
	// As its .natsaudit.yaml declares: production runs both files.
	inv := build(t, "../../testdata/repos/sahool", []string{"docker-compose.yml", "docker-compose.prod.yml"})
	var s *model.Server
	for _, x := range inv.Servers {
		if x.Name == "sahool-nats" {
			s = x
		}
	}
	if s == nil {
		t.Fatalf("no server sahool-nats in %d servers", len(inv.Servers))
	}
	if s.ConfigFile != "config/nats/nats.conf" || s.Deployment == nil || s.Deployment.Service != "nats" {
		t.Fatalf("server = %+v", s)
	}
	if s.Deployment.MemoryLimit != 512<<20 {
		t.Errorf("prod override not merged: memory %d", s.Deployment.MemoryLimit)
	}
	if s.Version == nil || s.Version.Semver != "2.10.24" {
		t.Errorf("version = %+v", s.Version)
	}
	if len(s.Certs) != 1 || s.Certs[0].File != "config/certs/nats/server.crt" || s.Certs[0].KeyFile != "config/certs/nats/server.key" {
		t.Errorf("certs not resolved through the mounts: %+v", s.Certs)
	}
	users := s.Config["authorization"].(map[string]any)["users"].([]any)
	app := users[1].(map[string]any)
	if app["user"] != "sahool_app" {
		t.Errorf("$NATS_USER not resolved from config/base.env: %#v", app["user"])
	}
	if pw := app["password"].(*model.Secret); !pw.Placeholder || pw.EnvVar != "NATS_PASSWORD" {
		t.Errorf("password = %+v", pw)
	}
	if l := s.Locs["config/allow_non_tls"]; l.File != "config/nats/nats.conf" || l.Line != 37 {
		t.Errorf("allow_non_tls at %+v", l)
	}
	if len(inv.Errors) != 1 || inv.Errors[0].File != "config/nats/nats-test.conf" {
		t.Errorf("errors = %+v", inv.Errors)
	}
	// SAHOOL_EVENTS, SAHOOL_DLQ, SAHOOL_AUDIT and the sessions bucket
	// (KV_sessions); billing-worker and notifications-worker.
	if len(inv.Streams) != 4 || len(inv.Consumers) != 2 || len(inv.EnvFiles) != 1 {
		t.Errorf("streams %d consumers %d env %d", len(inv.Streams), len(inv.Consumers), len(inv.EnvFiles))
	}
	keys := 0
	for _, f := range inv.Files {
		if f.Kind == "private_key" {
			keys++
		}
	}
	if keys != 1 {
		t.Errorf("private keys = %d", keys)
	}
	// The .creds file: its user JWT's claims, not the token.
	var jwts []*model.JWT
	for _, f := range inv.Files {
		if f.Path == "config/creds/reporting.creds" {
			jwts = f.JWTs
		}
	}
	if len(jwts) != 1 || jwts[0].Kind != "user" || jwts[0].Name != "sahool-reporting" || jwts[0].ExpiresNS != time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixNano() || jwts[0].Line != 2 {
		t.Errorf("creds JWTs = %+v", jwts)
	}
}

func TestHardenedClusterNodes(t *testing.T) {
	inv := build(t, "../../testdata/repos/hardened")
	if len(inv.Servers) != 3 {
		t.Fatalf("servers = %d", len(inv.Servers))
	}
	for i, s := range inv.Servers {
		want := []string{"nats-1", "nats-2", "nats-3"}[i]
		if s.Name != want || s.Config["server_name"] != want {
			t.Errorf("server %d = %s (server_name %v), want %s from the service environment", i, s.Name, s.Config["server_name"], want)
		}
		if s.Deployment.MemoryLimit != 2<<30 || s.Deployment.ImageDigest == "" {
			t.Errorf("merge key not applied: %+v", s.Deployment)
		}
	}
	if len(inv.Errors) != 0 {
		t.Errorf("errors = %+v", inv.Errors)
	}
}

func TestVersionFromTag(t *testing.T) {
	for tag, want := range map[string]string{"2.10.24-alpine": "2.10.24", "2.10": "", "v2.14.9": "2.14.9", "latest": "-", "alpine": "-"} {
		v := versionFromTag(tag)
		switch {
		case want == "-" && v != nil:
			t.Errorf("%s: %+v", tag, v)
		case want != "-" && (v == nil || v.Semver != want):
			t.Errorf("%s: %+v, want semver %q", tag, v, want)
		}
	}
}

func TestErrorsCappedPerFile(t *testing.T) {
	var errs []model.ParseError
	for i := 0; i < 120; i++ {
		errs = append(errs, model.ParseError{File: "a.conf", Line: i + 1, Message: "unknown field"})
		if i < 3 {
			errs = append(errs, model.ParseError{File: "b.conf", Line: i + 1, Message: "x"})
		}
	}
	got := capErrors(errs, 50)
	var a, b int
	for _, e := range got {
		switch e.File {
		case "a.conf":
			a++
		case "b.conf":
			b++
		}
	}
	if a != 51 || b != 3 || got[len(got)-1].Message != "70 more errors in this file are not listed" {
		t.Errorf("a %d, b %d, last %+v", a, b, got[len(got)-1])
	}
	if got[0].Line != 1 || got[1].File != "b.conf" {
		t.Errorf("order not kept: %+v", got[:2])
	}
}
