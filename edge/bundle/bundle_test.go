package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"
)

func sample(t testing.TB) []byte {
	t.Helper()
	data, err := Write(Manifest{Version: 7, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Dataset: "demo",
		Metrics: []byte(`{"hr10":0.3}`)},
		map[string][]byte{"guest.json": []byte(`{"a":1}`), "member_int8.onnx": {1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRoundTrip(t *testing.T) {
	data := sample(t)
	b, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	m := b.Manifest
	if m.Version != 7 || m.Format != Format || m.Dataset != "demo" || !strings.Contains(string(m.Metrics), `"hr10": 0.3`) || len(m.Files) != 2 {
		t.Errorf("manifest = %+v", m)
	}
	if m.Files[0].Name != "guest.json" || m.Files[0].SHA256 != "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862" {
		t.Errorf("files = %+v", m.Files)
	}
	if !bytes.Equal(b.Files["member_int8.onnx"], []byte{1, 2, 3}) {
		t.Errorf("member_int8.onnx = %v", b.Files["member_int8.onnx"])
	}
	if err := b.Require("guest.json", "probes.json"); err == nil || !strings.Contains(err.Error(), "probes.json") {
		t.Errorf("Require of a missing file = %v", err)
	}
	again := sample(t)
	if !bytes.Equal(again, data) {
		t.Error("writing the same bundle twice gives different bytes")
	}
}

// rewrite re-packs a bundle's entries after edit changes them.
func rewrite(t *testing.T, data []byte, edit func(name string, body []byte) (string, []byte, bool)) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		var body bytes.Buffer
		body.ReadFrom(tr)
		name, b, keep := edit(hdr.Name, body.Bytes())
		if !keep {
			continue
		}
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestReadRefusesCorruptBundles(t *testing.T) {
	good := sample(t)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("hello"), "not gzip"},
		{"truncated", good[:len(good)/2], ""},
		{"flipped byte", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) {
			if n == "member_int8.onnx" {
				b = []byte{1, 2, 4}
			}
			return n, b, true
		}), "sha256"},
		{"missing file", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) { return n, b, n != "guest.json" }), "missing"},
		{"extra file", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) {
			if n == "guest.json" {
				return "extra.bin", b, true
			}
			return n, b, true
		}), "not listed"},
		{"manifest not first", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) { return n, b, n != ManifestName }), "first entry"},
		{"path", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) {
			if n == "guest.json" {
				return "../guest.json", b, true
			}
			return n, b, true
		}), "plain name"},
		{"other format", rewrite(t, good, func(n string, b []byte) (string, []byte, bool) {
			if n == ManifestName {
				b = bytes.Replace(b, []byte(Format), []byte("crumb-recommend-bundle/9"), 1)
			}
			return n, b, true
		}), "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.data)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestWriteRefusesBadNames(t *testing.T) {
	for _, n := range []string{"", "a/b", ".hidden", ManifestName} {
		if _, err := Write(Manifest{}, map[string][]byte{n: nil}); err == nil {
			t.Errorf("Write accepted file name %q", n)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			return
		}
		if len(b.Files) != len(b.Manifest.Files) {
			t.Fatalf("accepted a bundle with %d files and %d listed", len(b.Files), len(b.Manifest.Files))
		}
	})
}
