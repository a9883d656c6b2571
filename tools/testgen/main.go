// Command testgen writes a synthetic config repository for benchmarks (see
// internal/testgen): testgen -services 500 -out bench/repos/s500.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/natsaudit/natsaudit/internal/testgen"
)

func main() {
	services := flag.Int("services", 10, "number of services (each a nats.conf and a docker-compose.yml)")
	out := flag.String("out", "", "directory to write (required; should be empty)")
	seed := flag.Uint64("seed", 1, "seed: the same seed and size give the same files")
	noExtras := flag.Bool("config-only", false, "write only nats.conf and compose files (no .env, no stream files)")
	kube := flag.Int("kube", 0, "write N Kubernetes manifest files instead (ConfigMap, StatefulSet, Service, Secret, NACK per application)")
	composeServices := flag.Int("compose-services", 0, "write one docker-compose.yml with N NATS services instead")
	flag.Parse()
	if *kube > 0 && *out != "" {
		apps, err := testgen.GenerateKube(*out, *kube)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testgen:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d Kubernetes manifests, %d NATS workloads\n", *out, *kube, apps)
		return
	}
	if *composeServices > 0 && *out != "" {
		size, err := testgen.GenerateCompose(*out, *composeServices, *seed)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testgen:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: one compose file with %d NATS services (%d KB)\n", *out, *composeServices, size/1024)
		return
	}
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: testgen -services N -out DIR [-seed S] [-config-only] | testgen -kube N -out DIR | testgen -compose-services N -out DIR")
		os.Exit(2)
	}
	st, err := testgen.Generate(*out, testgen.Options{Services: *services, Seed: *seed, NoExtras: *noExtras})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testgen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d services, %d config files, %d files (%d KB), %d servers, %d streams, %d consumers\n",
		*out, st.Services, st.ConfigFiles, st.Files, st.Bytes/1024, st.Servers, st.Streams, st.Consumers)
}
