package probe_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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
// $SYS. Budget: under 3 s and 300 MB per probe. Reported: ns/op and
// peak-heap-MB (the highest heap in use during the probe, less the heap
// before it) and cpu-ms/op (the process's CPU time): the servers run in
// the same process, so their own work answering is in both. On a machine
// shared with other work, cpu-ms/op is the number to compare; ns/op
// includes waiting for the CPU.
const (
	scaleStreams   = 1002
	scaleConsumers = 2002
	scaleConns     = 3002
)

var scale fixture

func BenchmarkProbeScale(b *testing.B) {
	scale.once.Do(func() { scale.err = startScale(&scale) })
	if scale.err != nil {
		b.Fatalf("start: %v", scale.err)
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
			args := append(tc.args, "--format", "json", "--fail-on", "never", "--timeout", "20s", "--inventory", inv)
			var peak uint64
			var cpu time.Duration
			runs := 0
			for b.Loop() {
				cpu0 := processCPU()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapInuse
				var top atomic.Uint64
				done := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if m.HeapInuse > top.Load() {
								top.Store(m.HeapInuse)
							}
						}
					}
				}()
				var out, errb strings.Builder
				code := cli.Main(context.Background(), args, &out, &errb, func(string) string { return "" })
				close(done)
				wg.Wait()
				if code == cli.ExitError || errb.Len() > 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				cpu += processCPU() - cpu0
				runs++
				if top.Load() > base && top.Load()-base > peak {
					peak = top.Load() - base
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(runs), "cpu-ms/op")
			checkScaleInventory(b, inv)
		})
	}
}

// processCPU is the CPU time (user + system) of the whole process so far:
// on a shared machine wall time measures the neighbours too.
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
