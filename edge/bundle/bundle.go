// Package bundle is the versioned model bundle that plugins/recommend writes and crumb-edge
// reads: a gzip-compressed tar holding manifest.json first and then the model files, each listed
// in the manifest with its size and sha256.
//
// Read accepts a bundle only when every listed file is present with the listed size and digest,
// nothing else is in it, and names are plain file names, so an edge device never loads half a
// bundle or a file that changed on the way. The files themselves (guest model, member model
// lookups, ONNX graphs, probes) are described in package edge/reco.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Format names this bundle layout; Read refuses other formats.
const Format = "crumb-recommend-bundle/1"

// ManifestName is the first entry of every bundle.
const ManifestName = "manifest.json"

// Limits on what Read accepts.
const (
	MaxFiles    = 32
	MaxFileSize = 256 << 20
)

// Manifest describes a bundle.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Dataset says what the models were trained on (e.g. "demo", "groceries").
	Dataset string `json:"dataset,omitempty"`
	// Metrics are the training and evaluation figures of the models.
	Metrics json.RawMessage `json:"metrics,omitempty"`
	Files   []File          `json:"files"`
}

// File is one file of a bundle.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Bundle is a verified bundle: its manifest and file contents.
type Bundle struct {
	Manifest Manifest
	Files    map[string][]byte
	// SHA256 is the digest of the whole bundle as read.
	SHA256 string
}

// Write encodes files as a bundle with manifest m (whose Files it fills in, sorted by name) and
// returns the bytes.
func Write(m Manifest, files map[string][]byte) ([]byte, error) {
	m.Format = Format
	m.Files = nil
	names := make([]string, 0, len(files))
	for n := range files {
		if err := checkName(n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > MaxFiles {
		return nil, fmt.Errorf("bundle: %d files, at most %d", len(names), MaxFiles)
	}
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		m.Files = append(m.Files, File{Name: n, Size: int64(len(files[n])), SHA256: hex.EncodeToString(sum[:])})
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: manifest: %w", err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	add := func(name string, data []byte) error {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(ManifestName, man); err != nil {
		return nil, fmt.Errorf("bundle: write: %w", err)
	}
	for _, n := range names {
		if err := add(n, files[n]); err != nil {
			return nil, fmt.Errorf("bundle: write %s: %w", n, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: write: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: write: %w", err)
	}
	return buf.Bytes(), nil
}

// checkName accepts plain file names only: no directories, no "..", nothing hidden.
func checkName(n string) error {
	if n == "" || n == ManifestName || strings.ContainsAny(n, `/\`) || strings.HasPrefix(n, ".") || len(n) > 100 {
		return fmt.Errorf("bundle: file name %q: want a plain name such as guest.json, not %s", n, ManifestName)
	}
	return nil
}

// ErrCorrupt wraps every reason Read refuses a bundle.
var ErrCorrupt = errors.New("corrupt bundle")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Read decodes and verifies a bundle.
func Read(data []byte) (*Bundle, error) {
	sum := sha256.Sum256(data)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, corrupt("not gzip: %v", err)
	}
	tr := tar.NewReader(zr)
	b := &Bundle{Files: map[string][]byte{}, SHA256: hex.EncodeToString(sum[:])}
	first := true
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, corrupt("tar: %v", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, corrupt("entry %q is not a regular file", hdr.Name)
		}
		if hdr.Size < 0 || hdr.Size > MaxFileSize {
			return nil, corrupt("entry %q has size %d (limit %d)", hdr.Name, hdr.Size, MaxFileSize)
		}
		body, err := io.ReadAll(io.LimitReader(tr, hdr.Size+1))
		if err != nil {
			return nil, corrupt("read %q: %v", hdr.Name, err)
		}
		if int64(len(body)) != hdr.Size {
			return nil, corrupt("entry %q is %d bytes, its header says %d", hdr.Name, len(body), hdr.Size)
		}
		if first {
			if hdr.Name != ManifestName {
				return nil, corrupt("first entry is %q, want %s", hdr.Name, ManifestName)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&b.Manifest); err != nil {
				return nil, corrupt("manifest: %v", err)
			}
			if b.Manifest.Format != Format {
				return nil, corrupt("format %q, this reader knows %q", b.Manifest.Format, Format)
			}
			if len(b.Manifest.Files) > MaxFiles {
				return nil, corrupt("manifest lists %d files (limit %d)", len(b.Manifest.Files), MaxFiles)
			}
			first = false
			continue
		}
		if err := checkName(hdr.Name); err != nil {
			return nil, corrupt("%v", err)
		}
		if _, dup := b.Files[hdr.Name]; dup {
			return nil, corrupt("%q appears twice", hdr.Name)
		}
		if len(b.Files) >= MaxFiles {
			return nil, corrupt("more than %d files", MaxFiles)
		}
		b.Files[hdr.Name] = body
	}
	if first {
		return nil, corrupt("empty archive: no %s", ManifestName)
	}
	listed := map[string]bool{}
	for _, f := range b.Manifest.Files {
		if listed[f.Name] {
			return nil, corrupt("manifest lists %q twice", f.Name)
		}
		listed[f.Name] = true
	}
	for n := range b.Files {
		if !listed[n] {
			return nil, corrupt("%q is not listed in the manifest", n)
		}
	}
	for _, f := range b.Manifest.Files {
		body, ok := b.Files[f.Name]
		if !ok {
			return nil, corrupt("%q is listed in the manifest but missing", f.Name)
		}
		if int64(len(body)) != f.Size {
			return nil, corrupt("%q is %d bytes, the manifest says %d", f.Name, len(body), f.Size)
		}
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != f.SHA256 {
			return nil, corrupt("%q has sha256 %s, the manifest says %s", f.Name, hex.EncodeToString(got[:]), f.SHA256)
		}
	}
	return b, nil
}

// Require reports the first of names the bundle lacks.
func (b *Bundle) Require(names ...string) error {
	for _, n := range names {
		if _, ok := b.Files[n]; !ok {
			return corrupt("bundle version %d has no %s", b.Manifest.Version, n)
		}
	}
	return nil
}
