package testgen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// GenerateCompose writes one docker-compose.yml with n NATS services (and
// nothing else) under dir: the "one big compose file" of docs/performance.md,
// whose per-service cost must stay constant from 100 to 10,000 services.
// Services are configured on the command line (no config files), with a mix
// of versions, JetStream, monitoring on loopback or public, credentials as
// flags or variables, memory limits and clusters of three. Service i is the
// same whatever n is.
func GenerateCompose(dir string, n int, seed uint64) (int64, error) {
	if n < 0 {
		return 0, fmt.Errorf("generate %s: negative service count %d", dir, n)
	}
	var b strings.Builder
	b.WriteString("name: big\n\nservices:\n")
	for i := 0; i < n; i++ {
		rnd := rand.New(rand.NewPCG(seed, uint64(i)))
		name := fmt.Sprintf("nats-%05d", i)
		version := versions[rnd.IntN(len(versions))]
		fmt.Fprintf(&b, "  %s:\n    image: nats:%s\n", name, version)
		cmd := []string{"--name", name}
		if rnd.IntN(2) == 0 {
			cmd = append(cmd, "-js", "--store_dir", "/data")
		}
		switch rnd.IntN(3) {
		case 0:
			cmd = append(cmd, "--user", "app", "--pass", "$NATS_PASSWORD")
		case 1:
			cmd = append(cmd, "--user", "app", "--pass", fmt.Sprintf("s3cret-%d", rnd.IntN(1000)))
		}
		cmd = append(cmd, "-m", "8222")
		if i%5 < 3 && n >= 3 {
			group := i / 5
			cmd = append(cmd, "--cluster_name", fmt.Sprintf("c%d", group), "--cluster", "nats://0.0.0.0:6222",
				"--routes", fmt.Sprintf("nats://nats-%05d:6222", group*5))
		}
		fmt.Fprintf(&b, "    command: [%s]\n", quoteAll(cmd))
		b.WriteString("    environment:\n      NATS_PASSWORD: ${NATS_PASSWORD}\n")
		fmt.Fprintf(&b, "    ports:\n      - \"%d:4222\"\n", 10000+i%50000)
		if rnd.IntN(2) == 0 {
			fmt.Fprintf(&b, "      - \"127.0.0.1:%d:8222\"\n", 20000+i%40000)
		} else {
			fmt.Fprintf(&b, "      - \"%d:8222\"\n", 20000+i%40000)
		}
		if rnd.IntN(2) == 0 {
			fmt.Fprintf(&b, "    deploy:\n      resources:\n        limits:\n          memory: %dM\n", []int{256, 512, 2048}[rnd.IntN(3)])
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("generate %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(b.String()), 0o644); err != nil {
		return 0, fmt.Errorf("generate %s: %w", dir, err)
	}
	return int64(b.Len()), nil
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, ", ")
}
