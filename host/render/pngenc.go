package render

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
)

// encodePNG writes an opaque RGBA image as an 8-bit RGB PNG. Unlike
// image/png, which tries five filters on every row, it uses the Up filter
// throughout: chart rows mostly repeat the row above (bars, grid, blank
// space), so Up compresses them about as well at a fraction of the cost.
func encodePNG(b *bytes.Buffer, img *image.RGBA) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per channel, truecolour; compression, filter, interlace 0
	chunk(b, "IHDR", ihdr[:])

	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return err
	}
	row := make([]byte, 1+3*w)
	prev := make([]byte, 3*w) // the row above, unfiltered
	cur := make([]byte, 3*w)
	for y := range h {
		pix := img.Pix[y*img.Stride:]
		for x := range w {
			copy(cur[3*x:3*x+3], pix[4*x:4*x+3])
		}
		row[0] = 2 // Up
		for i, c := range cur {
			row[1+i] = c - prev[i]
		}
		if _, err := zw.Write(row); err != nil {
			return err
		}
		prev, cur = cur, prev
	}
	if err := zw.Close(); err != nil {
		return err
	}
	chunk(b, "IDAT", idat.Bytes())
	chunk(b, "IEND", nil)
	return nil
}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}
