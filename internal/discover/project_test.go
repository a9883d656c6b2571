package discover

import (
	"path/filepath"
	"testing"
)

func TestProjectRoot(t *testing.T) {
	top := t.TempDir()
	// repo/            .git (a worktree's file)
	// repo/deploy/     .natsaudit.yaml
	// repo/deploy/nats/nats.conf
	// repo/other/a.conf
	write(t, filepath.Join(top, "repo/.git"), "gitdir: /elsewhere\n", 0o644)
	write(t, filepath.Join(top, "repo/deploy/.natsaudit.yaml"), "version: 1\n", 0o644)
	write(t, filepath.Join(top, "repo/deploy/nats/nats.conf"), "port: 4222\n", 0o644)
	write(t, filepath.Join(top, "repo/other/a.conf"), "port: 4222\n", 0o644)
	write(t, filepath.Join(top, "repo/other/sub/b.conf"), "port: 4222\n", 0o644)
	write(t, filepath.Join(top, "loose/x/nats.conf"), "port: 4222\n", 0o644)
	// A config above the repository is not the project's.
	write(t, filepath.Join(top, "outer/.natsaudit.yaml"), "version: 1\n", 0o644)
	write(t, filepath.Join(top, "outer/repo2/.git/HEAD"), "ref: x\n", 0o644)
	write(t, filepath.Join(top, "outer/repo2/nats/nats.conf"), "port: 4222\n", 0o644)

	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"config below the git top wins", []string{"repo/deploy/nats"}, "repo/deploy"},
		{"a file: its directory, then up", []string{"repo/deploy/nats/nats.conf"}, "repo/deploy"},
		{"the config's own directory", []string{"repo/deploy"}, "repo/deploy"},
		{"git top-level", []string{"repo/other/sub"}, "repo"},
		{"git top-level from the top", []string{"repo"}, "repo"},
		{"several paths: their common directory, then up", []string{"repo/other/sub/b.conf", "repo/deploy/nats"}, "repo"},
		{"no marker: the scanned path", []string{"loose/x"}, "loose/x"},
		{"no marker, several paths: their common directory", []string{"loose/x/nats.conf", "loose"}, "loose"},
		{"a config above the repository is not used", []string{"outer/repo2/nats"}, "outer/repo2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				paths = append(paths, filepath.Join(top, p))
			}
			got, err := ProjectRoot(paths)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(top, tt.want); got != want {
				t.Errorf("ProjectRoot(%v) = %s, want %s", tt.paths, got, want)
			}
		})
	}
}
