package testgen

import (
	"fmt"
	"os"
	"path/filepath"
)

// GenerateKube writes a synthetic repository of Kubernetes manifests: one
// application per five files (a ConfigMap holding nats.conf, a StatefulSet
// mounting it, a LoadBalancer Service, a Secret, NACK streams), manifests
// files in all. It returns the number of NATS workloads written.
func GenerateKube(dir string, manifests int) (int, error) {
	apps := (manifests + 4) / 5
	written := 0
	for i := 0; i < apps; i++ {
		name := fmt.Sprintf("nats-%03d", i)
		d := filepath.Join(dir, "apps", name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, err
		}
		files := []struct{ name, body string }{
			{"configmap.yaml", fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: %[1]s-config, namespace: %[1]s}
data:
  nats.conf: |
    server_name: $POD_NAME
    http: 8222
    jetstream {
      store_dir: /data
      max_mem: 1Gi
      max_file: 10Gi
    }
    cluster {
      name: %[1]s
      port: 6222
      routes: [nats://%[1]s-0.%[1]s:6222, nats://%[1]s-1.%[1]s:6222, nats://%[1]s-2.%[1]s:6222]
    }
    authorization {
      users: [{user: app, password: $APP_PASSWORD}]
    }
`, name)},
			{"statefulset.yaml", fmt.Sprintf(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: %[1]s, namespace: %[1]s}
spec:
  replicas: %[2]d
  serviceName: %[1]s
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers:
      - name: nats
        image: nats:2.%[3]d.%[4]d-alpine
        args: ["--config", "/etc/nats-config/nats.conf"]
        env:
        - name: APP_PASSWORD
          valueFrom: {secretKeyRef: {name: %[1]s-auth, key: password}}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        resources: {limits: {memory: 512Mi}}
        volumeMounts:
        - {name: config, mountPath: /etc/nats-config}
        - {name: data, mountPath: /data}
      volumes:
      - {name: config, configMap: {name: %[1]s-config}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
`, name, 2+i%3, 10+i%5, i%20)},
			{"service.yaml", fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: %[1]s}
spec:
  type: LoadBalancer
  selector: {app: %[1]s}
  ports: [{name: client, port: 4222}, {name: monitor, port: 8222}]
`, name)},
			{"secret.yaml", fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: %[1]s-auth, namespace: %[1]s}
stringData:
  password: pw-%[1]s-%[2]d
`, name, i*7919)},
			{"streams.yaml", fmt.Sprintf(`apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata: {name: %[1]s-orders, namespace: %[1]s}
spec: {name: ORDERS_%[2]d, subjects: ["orders.%[2]d.>"], replicas: %[3]d, maxAge: 24h}
---
apiVersion: jetstream.nats.io/v1beta2
kind: Consumer
metadata: {name: %[1]s-worker, namespace: %[1]s}
spec: {streamName: ORDERS_%[2]d, durableName: worker, ackPolicy: explicit}
`, name, i, 1+2*(i%2))},
		}
		for _, f := range files {
			if written >= manifests {
				break
			}
			if err := os.WriteFile(filepath.Join(d, f.name), []byte(f.body), 0o644); err != nil {
				return 0, err
			}
			written++
		}
	}
	return apps, nil
}
