package probe_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/model"
)

// The scale of issue 14: a 3-node JetStream cluster with 1,002 streams,
// 2,002 consumers and 3,002 client connections, probed end to end (collect
// with paging, merge, every rule, the JSON report) over HTTP and over
// $SYS. Budget: under 3 s and 300 MB per probe.
//
// natsaudit runs as its own process (this test binary, re-executed as
// natsaudit: see TestMain), so that its cost is separate from that of the
// servers answering it, which run in this process: cpu-ms/op is
// natsaudit's CPU (user + system, from its rusage), peak-rss-MB its peak
// resident set (VmHWM: everything it held, garbage and runtime included),
// servers-cpu-ms/op this process's CPU meanwhile (the servers answering,
// and their JetStream housekeeping). On a machine shared with other work,
// compare CPU, not ns/op (which includes waiting for a CPU).
//
// Profiles: NATSAUDIT_SCALE_CPUPROFILE=FILE writes natsaudit's CPU profile
// (FILE.<probe>.<run>) and the servers' (FILE.servers), the latter for
// the probes only, not the cluster's set-up; NATSAUDIT_SCALE_HEAPPROFILE=FILE
// writes natsaudit's live heap near its peak (FILE.<probe>.<run>).
const (
	scaleStreams   = 1002
	scaleConsumers = 2002
	scaleConns     = 3002
)

var scale fixture

// childEnv names the environment variable that makes the test binary run
// natsaudit (its value: the arguments, JSON) instead of the tests.
const childEnv = "NATSAUDIT_BENCH_CHILD_ARGS"

// runChild is natsaudit, when the test binary was started as one by a
// benchmark: it never returns.
func runChild(argsJSON string) {
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad", childEnv, err)
		os.Exit(2)
	}
	if path := os.Getenv("NATSAUDIT_SCALE_CPUPROFILE_CHILD"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f) // stopped (and flushed) before exiting

		}
	}
	if path := os.Getenv("NATSAUDIT_SCALE_HEAPPROFILE_CHILD"); path != "" {
		go heapAtPeaks(path)
	}
	code := cli.Main(context.Background(), args, io.Discard, os.Stderr, func(string) string { return "" })
	pprof.StopCPUProfile()
	// The peak resident set size of this process, for the benchmark: not
	// the rusage's maxrss, which keeps the benchmark's own (forked, then
	// exec'd) as a floor.
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				fmt.Printf("vmhwm %s\n", strings.TrimSpace(strings.TrimSuffix(kb, "kB")))
			}
		}
	}
	os.Exit(code)
}

func BenchmarkProbeScale(b *testing.B) {
	scale.once.Do(func() { scale.err = startScale(&scale) })
	if scale.err != nil {
		b.Fatalf("start: %v", scale.err)
	}
	profile := os.Getenv("NATSAUDIT_SCALE_CPUPROFILE")
	if profile != "" {
		f, err := os.Create(profile + ".servers")
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	cs := scale.servers
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"http", []string{"probe", monitorURL(cs[0]), monitorURL(cs[1]), monitorURL(cs[2])}},
		{"sys", []string{"probe", "--server", cs[0].ClientURL(), "--user", sysUser, "--password", sysPass}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			inv := filepath.Join(b.TempDir(), "inventory.json")
			args, err := json.Marshal(append(tc.args, "--format", "json", "--fail-on", "never", "--timeout", "20s", "--inventory", inv))
			if err != nil {
				b.Fatal(err)
			}
			var rss int64
			var cpu, servers time.Duration
			runs := 0
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+string(args))
				if profile != "" {
					cmd.Env = append(cmd.Env, fmt.Sprintf("NATSAUDIT_SCALE_CPUPROFILE_CHILD=%s.%s.%d", profile, tc.name, runs))
				}
				if heap := os.Getenv("NATSAUDIT_SCALE_HEAPPROFILE"); heap != "" {
					cmd.Env = append(cmd.Env, fmt.Sprintf("NATSAUDIT_SCALE_HEAPPROFILE_CHILD=%s.%s.%d", heap, tc.name, runs))
				}
				var outb, errb strings.Builder
				cmd.Stdout, cmd.Stderr = &outb, &errb
				cpu0 := processCPU()
				err := cmd.Run()
				servers += processCPU() - cpu0
				if err != nil || errb.Len() > 0 {
					b.Fatalf("natsaudit: %v: %s", err, errb.String())
				}
				ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				if !ok {
					b.Fatal("no rusage for the natsaudit process")
				}
				cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				var kb int64
				if _, err := fmt.Sscanf(outb.String(), "vmhwm %d", &kb); err != nil {
					b.Fatalf("no peak RSS from natsaudit: %q", outb.String())
				}
				rss = max(rss, kb)
				runs++
			}
			b.ReportMetric(float64(rss)/1024, "peak-rss-MB")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(runs), "cpu-ms/op")
			b.ReportMetric(float64(servers.Milliseconds())/float64(runs), "servers-cpu-ms/op")
			checkScaleInventory(b, inv)
		})
	}
}

// heapAtPeaks writes the live heap (after a collection: what is in use,
// not garbage) to path each time the heap in use passed its highest yet by
// 16 MiB: the last one written is near the peak. It slows natsaudit down;
// for diagnosis only (NATSAUDIT_SCALE_HEAPPROFILE).
func heapAtPeaks(path string) {
	var top uint64
	for range time.Tick(5 * time.Millisecond) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse < top+16<<20 {
			continue
		}
		top = m.HeapInuse
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
}

// processCPU is the CPU time (user + system) of this process so far: the
// servers', while natsaudit runs in its own process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// checkScaleInventory checks that the probe saw every stream, consumer and
// connection (paging, and our own connection excluded).
func checkScaleInventory(b *testing.B, path string) {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var inv model.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		b.Fatal(err)
	}
	conns := 0
	for _, s := range inv.Servers {
		if s.Live != nil {
			conns += len(getList(s.Live.Connz, "connections"))
		}
	}
	// startCluster's own streams are not counted.
	streams, consumers := 0, 0
	for _, st := range inv.Streams {
		if len(st.Name) == 5 && st.Name[0] == 'S' {
			streams++
		}
	}
	for _, c := range inv.Consumers {
		if len(c.Stream) == 5 && c.Stream[0] == 'S' {
			consumers++
		}
	}
	if streams != scaleStreams || consumers != scaleConsumers || conns != scaleConns {
		b.Fatalf("saw %d streams, %d consumers, %d connections; want %d, %d, %d", streams, consumers, conns, scaleStreams, scaleConsumers, scaleConns)
	}
}

func getList(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

// startScale starts the cluster and fills it.
func startScale(f *fixture) error {
	if err := startCluster(f, "s", "scale"); err != nil {
		return err
	}
	nc, err := nats.Connect(f.servers[0].ClientURL(), nats.UserInfo(appUser, appPass))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// R1 streams spread over the servers, 2 consumers on each but the last.
	jobs := make(chan int)
	errs := make(chan error, scaleStreams)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				name := fmt.Sprintf("S%04d", i)
				if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{"s." + name + ".>"}, MaxBytes: 1 << 20}); err != nil {
					errs <- fmt.Errorf("stream %s: %w", name, err)
					continue
				}
				if i < scaleConsumers/2 {
					for c := range 2 {
						if _, err := js.CreateConsumer(ctx, name, jetstream.ConsumerConfig{Durable: fmt.Sprintf("c%d", c), AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
							errs <- fmt.Errorf("consumer %s/c%d: %w", name, c, err)
						}
					}
				}
			}
		}()
	}
	for i := range scaleStreams {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	// Bare client connections (CONNECT + PING), spread over the servers.
	for i := range scaleConns {
		c, err := scaleConnect(f.servers[i%3].Addr().String())
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		_ = c // kept open until the process ends
	}
	return nil
}

func scaleConnect(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		c.Close()
		return nil, err
	}
	fmt.Fprintf(c, "CONNECT {\"user\":%q,\"pass\":%q,\"verbose\":false,\"pedantic\":false,\"name\":\"load\"}\r\nPING\r\n", appUser, appPass)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "PONG") {
		c.Close()
		return nil, fmt.Errorf("connect: %q %v", line, err)
	}
	// Answer the server's PINGs so that it never drops the connection.
	go func() {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(l, "PING") {
				if _, err := io.WriteString(c, "PONG\r\n"); err != nil {
					return
				}
			}
		}
	}()
	return c, nil
}
