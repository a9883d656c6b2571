package audit

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/report"
)

// fileDigests sets the report's provenance of its inputs: the SHA-256 of
// every file it lists as read (scan.file_sha256, by path relative to the
// project root) and the digest of that list (scan.files_sha256, what
// `sha256sum FILE... | sha256sum` prints from the project root, the files
// in the listed order). A file the walk read is hashed from the bytes the
// sources parsed; one a source read itself (an include, a mounted
// certificate, a Helm values file) is read again through the same
// confinement (discover.Result.All), and one that cannot be is left out
// of the map, so a missing digest says it could not be verified.
func fileDigests(rep *report.Report, d *discover.Result, maxSize int64) {
	data := make(map[string][]byte, len(d.Files))
	for _, f := range d.Files {
		data[f.Rel] = f.Data
	}
	sums := make(map[string]string, len(rep.Scan.Files))
	for _, p := range rep.Scan.Files {
		b, ok := data[p]
		if !ok {
			real, found := d.All[p]
			if !found {
				continue
			}
			var err error
			if b, err = discover.ReadRegular(real, maxSize); err != nil {
				continue
			}
		}
		s := sha256.Sum256(b)
		sums[p] = hex.EncodeToString(s[:])
	}
	rep.Scan.FileSHA256 = sums
	rep.Scan.FilesSHA256 = report.FilesDigest(rep.Scan.Files, sums)
}
