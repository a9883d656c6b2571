package discover

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/unpriv"
)

func write(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// walk runs Walk with a deadline: a hostile tree must never hang it.
func walk(t *testing.T, dir string, paths []string, opt Options) *Result {
	t.Helper()
	type out struct {
		r   *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		r, err := Walk(context.Background(), dir, paths, opt)
		done <- out{r, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatalf("walk: %v", o.err)
		}
		return o.r
	case <-time.After(10 * time.Second):
		t.Fatal("walk did not finish in 10s")
		return nil
	}
}

func skipped(r *Result, path string) string {
	for _, s := range r.Skipped {
		if s.Path == path {
			return s.Reason
		}
	}
	return ""
}

func found(r *Result, path string) *File {
	for _, f := range r.Files {
		if f.Rel == path {
			return f
		}
	}
	return nil
}

// A FIFO named nats.conf, found by the walk or named on the command line,
// is never opened for reading (that would wait for a writer forever).
func TestFIFO(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "nats.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "other/nats.conf"), "port: 4222\n", 0o644)
	r := walk(t, dir, []string{dir}, Options{})
	if reason := skipped(r, "nats.conf"); !strings.Contains(reason, "not a regular file") {
		t.Errorf("FIFO in the tree: skipped %q, all %+v", reason, r.Skipped)
	}
	if found(r, "other/nats.conf") == nil {
		t.Error("the rest of the tree must still be read")
	}
	r = walk(t, dir, []string{filepath.Join(dir, "nats.conf")}, Options{})
	if reason := skipped(r, "nats.conf"); !strings.Contains(reason, "not a regular file") || len(r.Files) != 0 {
		t.Errorf("FIFO named on the command line: %+v", r)
	}
	if _, err := ReadRegular(filepath.Join(dir, "nats.conf"), 0); err != ErrNotRegular {
		t.Errorf("ReadRegular(FIFO) = %v", err)
	}
}

// Symlink loops (file links pointing at each other, a directory link to an
// ancestor) end the walk with a note, never recursion.
func TestSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "conf/nats.conf"), "port: 4222\n", 0o644)
	for _, l := range [][2]string{
		{"b.conf", "a.conf"}, {"a.conf", "b.conf"}, // a.conf -> b.conf -> a.conf
		{"..", "conf/up"},           // a directory loop
		{"conf", "conf/again/self"}, // through a missing directory: broken
		{"/etc/hostname", "nats-host.conf"},
	} {
		p := filepath.Join(dir, l[1])
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(l[0], p); err != nil {
			t.Fatal(err)
		}
	}
	r := walk(t, dir, []string{dir}, Options{})
	for _, p := range []string{"a.conf", "b.conf"} {
		if reason := skipped(r, p); reason != "broken or looping symlink" {
			t.Errorf("%s: skipped %q", p, reason)
		}
	}
	if reason := skipped(r, "nats-host.conf"); reason != "symlink points outside the scanned tree" {
		t.Errorf("nats-host.conf: skipped %q", reason)
	}
	if len(r.Files) != 1 || r.Files[0].Rel != "conf/nats.conf" {
		t.Errorf("files = %+v", r.Files)
	}
}

// A file over the size limit is skipped with a note, never read: a 30 MB
// nats.conf costs neither the time nor the memory of reading it.
func TestSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "nats.conf")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(30 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := walk(t, dir, []string{dir}, Options{})
	runtime.ReadMemStats(&after)
	if reason := skipped(r, "nats.conf"); reason != "file is 31457280 bytes, over the 10485760-byte limit (--max-file-size)" {
		t.Errorf("skipped %q", reason)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 5<<20 {
		t.Errorf("allocated %d bytes walking past a 30 MB file", alloc)
	}
	// A limit raised on the command line reads it.
	r = walk(t, dir, []string{dir}, Options{MaxSize: 40 << 20})
	if found(r, "nats.conf") == nil {
		t.Errorf("with --max-file-size 40MB: %+v", r.Skipped)
	}
}

// Binary content: a binary file named nats.conf is still a nats.conf (the
// parser reports it), unknown-extension binaries are ignored.
func TestBinaryFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := "\x7fELF\x02\x01\x01\x00\x00\x00\x00\xff\xfe\x00binary"
	write(t, filepath.Join(dir, "nats.conf"), garbage, 0o644)
	write(t, filepath.Join(dir, "server"), garbage, 0o644)
	r := walk(t, dir, []string{dir}, Options{})
	if f := found(r, "nats.conf"); f == nil || f.Kind != KindNatsConf {
		t.Errorf("nats.conf: %+v", r.Files)
	}
	if found(r, "server") != nil {
		t.Error("an extension-less binary was classified")
	}
}

// Unreadable files and directories are skipped with the reason. Root reads
// everything, so this test runs as nobody (package unpriv).
func TestUnreadable(t *testing.T) {
	if unpriv.Reexec(t) {
		return
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "nats.conf"), "port: 4222\n", 0o000)
	write(t, filepath.Join(dir, "locked/nats.conf"), "port: 4222\n", 0o644)
	write(t, filepath.Join(dir, "ok/nats.conf"), "port: 4222\n", 0o644)
	if err := os.Chmod(filepath.Join(dir, "locked"), 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	if _, err := os.ReadFile(filepath.Join(dir, "nats.conf")); err == nil {
		t.Fatal("the file is readable: permissions are not enforced for this user")
	}
	r := walk(t, dir, []string{dir}, Options{})
	if reason := skipped(r, "nats.conf"); reason != "permission denied" {
		t.Errorf("nats.conf: skipped %q", reason)
	}
	if reason := skipped(r, "locked"); reason != "permission denied" {
		t.Errorf("locked/: skipped %q (all: %+v)", reason, r.Skipped)
	}
	if found(r, "ok/nats.conf") == nil {
		t.Errorf("files = %+v", r.Files)
	}
	// Named on the command line.
	r = walk(t, dir, []string{filepath.Join(dir, "nats.conf")}, Options{})
	if reason := skipped(r, "nats.conf"); reason != "permission denied" {
		t.Errorf("explicit: skipped %+v", r.Skipped)
	}
}

// Issue 11, item 3: a link that resolves into .git/ (or .hg, .svn) is never
// read, whatever it is named and however it gets there (directly, through
// a chain of links, through a directory link); it is a note like a link
// out of the tree. A link to a file inside the tree is still read, and
// .git/ itself is not walked.
func TestSymlinkIntoGit(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".git/config"), "[http]\n\textraheader = AUTHORIZATION: basic SECRETTOKEN\n", 0o644)
	write(t, filepath.Join(dir, ".git/nats.conf"), "server_name: SECRETTOKEN\n", 0o644)
	write(t, filepath.Join(dir, ".hg/hgrc"), "SECRETTOKEN=1\n", 0o644)
	write(t, filepath.Join(dir, "conf/real.conf"), "port: 4222\n", 0o644)
	for _, l := range [][2]string{
		{".git/config", ".env"},
		{".git/nats.conf", "nats.conf"},
		{"nats.conf", "chain-nats.conf"},
		{"../.git/config", "sub/app.env"},
		{".git", "gitdir"},
		{"../gitdir/config", "sub/through-dir.env"},
		{".hg/hgrc", "hg.env"},
		{"conf/real.conf", "inside-nats.conf"},
	} {
		p := filepath.Join(dir, l[1])
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(l[0], p); err != nil {
			t.Fatal(err)
		}
	}
	r := walk(t, dir, []string{dir}, Options{})
	for p, dirName := range map[string]string{".env": ".git", "nats.conf": ".git", "chain-nats.conf": ".git", "sub/app.env": ".git", "sub/through-dir.env": ".git", "hg.env": ".hg"} {
		if want := "symlink points into " + dirName + "/; not read"; skipped(r, p) != want {
			t.Errorf("%s: skipped %q, want %q", p, skipped(r, p), want)
		}
		if r.All[p] != "" {
			t.Errorf("%s is listed as readable: %s", p, r.All[p])
		}
	}
	for _, f := range r.Files {
		if strings.Contains(string(f.Data), "SECRETTOKEN") {
			t.Errorf("%s was read: %q", f.Rel, f.Data)
		}
	}
	if f := found(r, "inside-nats.conf"); f == nil || string(f.Data) != "port: 4222\n" {
		t.Errorf("a link inside the tree is read: %+v", r.Files)
	}
	// Named on the command line from the tree (the working directory):
	// refused outright.
	t.Chdir(dir)
	if _, err := Walk(context.Background(), ".", []string{".env"}, Options{}); err == nil || !strings.Contains(err.Error(), "scan .env: is a symbolic link into .git/; not read") {
		t.Errorf("explicit .env: %v", err)
	}
}

// TestScriptsAndContexts: shell scripts are read when they mention nats
// (by extension, or by a shell shebang without one), NATS CLI contexts
// when a JSON has url and credentials keys.
func TestScriptsAndContexts(t *testing.T) {
	dir := t.TempDir()
	files := map[string]struct {
		content, kind string
	}{
		"setup.sh":              {"#!/bin/sh\nnats stream add S --replicas 1\n", KindScript},
		"bin/start":             {"#!/usr/bin/env bash\nexec nats-server -c /etc/nats.conf\n", KindScript},
		"build.sh":              {"#!/bin/sh\ngo build ./...\n", ""},
		"bin/other":             {"#!/bin/bash\necho hello\n", ""},
		"ctx/nats.json":         {`{"url": "nats://h:4222", "user": "u", "password": "p"}`, KindContext},
		"package.json":          {`{"name": "x", "version": "1"}`, ""},
		"js/stream.json":        {`{"name": "S", "subjects": ["a"], "num_replicas": 3}`, KindStream},
		"bin/nats-looking-conf": {"jetstream {\n  store_dir: /data\n}\n", KindNatsConf},
	}
	for p, f := range files {
		write(t, filepath.Join(dir, p), f.content, 0o755)
	}
	r := walk(t, dir, []string{dir}, Options{})
	for p, f := range files {
		got := ""
		if x := found(r, p); x != nil {
			got = x.Kind
		}
		if got != f.kind {
			t.Errorf("%s: kind %q, want %q", p, got, f.kind)
		}
	}
}
