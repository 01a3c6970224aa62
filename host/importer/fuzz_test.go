package importer

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/tools"
)

// checkParseErr fails t unless err is nil or a *ParseError about file at a
// real line whose message reads well.
func checkParseErr(t *testing.T, err error, file string) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %q (%T) is not a *ParseError", err, err)
	}
	if pe.File != file || pe.Line < 1 || pe.Column < 0 {
		t.Fatalf("error at %q line %d column %d: %v", pe.File, pe.Line, pe.Column, err)
	}
	msg := pe.Err.Error()
	if msg == "" || !strings.HasPrefix(err.Error(), file+" line ") {
		t.Fatalf("badly formed error %q", err)
	}
	if r, _ := utf8.DecodeRuneInString(msg); r >= 'A' && r <= 'Z' && !strings.HasPrefix(msg, "NULL") {
		t.Fatalf("error message starts upper case: %q", msg)
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"52.9", "-7.83", "4,125", "1e-3", "NaN", "0x1p3", "1_0", "", "-", "9e999", "٣"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		point := byte('.')
		if comma {
			point = ','
		}
		v, ok := parseDecimal(s, point)
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("parseDecimal(%q) = %v", s, v)
		}
		want, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil || want != v {
			t.Fatalf("parseDecimal(%q) = %v, ParseFloat says %v, %v", s, v, want, err)
		}
	})
}

func FuzzTable(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), byte(','), false)
	f.Add([]byte("\xEF\xBB\xBFa;b\r\n1;2\r\n\r\n"), byte(';'), false)
	f.Add([]byte("a\tb\t\t\n1\t\t\t\n"), byte('\t'), true)
	f.Add([]byte("a,b\n\n1,2"), byte(','), false)
	f.Fuzz(func(t *testing.T, data []byte, sep byte, ragged bool) {
		if sep == '\n' || sep == '\r' || sep >= utf8.RuneSelf {
			return
		}
		recs, err := readAllRecords(string(data), string(sep), []string{"a", "b"}, ragged)
		checkParseErr(t, err, "f.csv")
		for _, r := range recs {
			if len(r) != 2 {
				t.Fatalf("record %q has %d fields", r, len(r))
			}
		}
	})
}

func FuzzMeteolytixGroups(f *testing.F) {
	f.Add("1;Weizenbrot\r\n13;Weihnachtsartikel")
	f.Add("0;x")
	f.Add("1;a\n1;b")
	f.Fuzz(func(t *testing.T, lines string) {
		text := "\uFEFFArtikelgruppe;Name\r\n" + lines
		err := readMeteolytixGroups(context.Background(), strings.NewReader(text), "groups.csv", func(id int, name string) {
			if id < 1 || name == "" {
				t.Fatalf("group %d %q accepted", id, name)
			}
		})
		checkParseErr(t, err, "groups.csv")
	})
}

func FuzzMeteolytixSalesLine(f *testing.F) {
	f.Add("1,2015-01-07,1,50.092234807956295")
	f.Add("3,2019-12-14,13,-7.8")
	f.Add("1,2015-02-30,1,5")
	f.Add("1,2015-01-07,99,5")
	f.Add("1,2015-01-07,1,1e308")
	groups := map[int]string{1: "AG1", 13: "AG13"}
	f.Fuzz(func(t *testing.T, line string) {
		text := "Filiale,Datum,Artikelgruppe,Umsatz\n" + line + "\n"
		err := readMeteolytixSales(context.Background(), strings.NewReader(text), "sales.csv", groups, func(s meteolytixSale) {
			if _, ok := groups[s.group]; !ok || s.branch < 1 || !validDate(s.date) || math.Abs(s.umsatz) > 1e7 {
				t.Fatalf("accepted %+v", s)
			}
		})
		checkParseErr(t, err, "sales.csv")
	})
}

func FuzzKielWeatherLine(f *testing.F) {
	f.Add("01.01.2015;8;4,125;13;10")
	f.Add("04.01.2015;0;4,75;15;NULL")
	f.Add("30.10.2017;NULL;8,1;11;NULL")
	f.Add("31.02.2015;1;1;1;1")
	f.Add("01.01.2015;1;1;1;99,5")
	f.Fuzz(func(t *testing.T, line string) {
		text := "\uFEFFDate;nnav;ttav;ffav;wwav\r\n" + line + "\r\n"
		err := readKielWeather(context.Background(), strings.NewReader(text), "wetter.csv", func(w tools.Weather) {
			if !validDate(w.Date) || w.TempMax != w.TempMin || w.TempMax < -60 || w.TempMax > 60 || (w.Precipitation != 0 && w.Precipitation != 1) {
				t.Fatalf("accepted %+v", w)
			}
		})
		checkParseErr(t, err, "wetter.csv")
	})
}

func FuzzItemMapping(f *testing.F) {
	f.Add([]byte(utf16LE("Nummer\tName\t\t\r\n10\tNormale\t\t\r\n126\t\t\t")))
	f.Add([]byte("\uFEFFNummer\tName\n11\tMohnbrötchen\n"))
	f.Add([]byte{0xFF, 0xFE, 'N', 0, 0x00, 0xD8}) // unpaired surrogate
	f.Add([]byte{0xFE, 0xFF, 0, 'N'})
	f.Fuzz(func(t *testing.T, data []byte) {
		err := readItemMapping(context.Background(), strings.NewReader(string(data)), "item_mapping.txt", func(id int, name string) {
			if id < 0 {
				t.Fatalf("item %d accepted", id)
			}
		})
		checkParseErr(t, err, "item_mapping.txt")
	})
}

func FuzzNorthSeaLine(f *testing.F) {
	f.Add("2019-02-20,61.0,0.0,8.0,24.0,13200.0,2.0,2.0,6739.79,0.21000000000000002,2173.0,161.08,5604.0")
	f.Add("2020-03-29,5.0,1.0,6.0,0.0,0.0,2.0,2.0,6380.63,0.34,572.0,260.18,828.0")
	f.Add("2020-03-29,5.0,1.0,6.0,0.0,0.0,2.0,2.0,1e308,0.34,572.0,260.18,828.0")
	f.Add("2019-02-20,1,2")
	f.Fuzz(func(t *testing.T, line string) {
		text := northSeaHead + line + "\n"
		err := readNorthSeaSales(context.Background(), strings.NewReader(text), "sales.csv", func([]int) {}, func(d northSeaDay) {
			if !validDate(d.date) || len(d.units) != 2 || d.units[0] < 0 || d.units[1] < 0 || d.openHours < 0 ||
				d.tempC < -60 || d.tempC > 60 || d.precipMM < 0 || math.IsInf(d.precipMM, 0) {
				t.Fatalf("accepted %+v", d)
			}
		})
		checkParseErr(t, err, "sales.csv")
	})
}

func FuzzNorthSeaHeader(f *testing.F) {
	f.Add(strings.TrimSuffix(northSeaHead, "\n"))
	f.Add("date,+1,is_open,holidays,gaestezahlen,arrival,departure,temperature,precipitation,cloud_cover,wind_speed,wind_direction")
	f.Fuzz(func(t *testing.T, header string) {
		err := readNorthSeaSales(context.Background(), strings.NewReader(header+"\n"), "sales.csv", func(ids []int) {
			for _, id := range ids {
				if id < 0 {
					t.Fatalf("item %d accepted", id)
				}
			}
		}, func(northSeaDay) {})
		checkParseErr(t, err, "sales.csv")
	})
}

func FuzzDDOPLine(f *testing.F) {
	f.Add("02.03.2016,WED,MAR,2016,0,0,2.3,4.2,0,0" + strings.Repeat(",", 30))
	f.Add("03.03.2016,THU,MAR,2016,0,0,0.1,3.3,0,0,204.0,,,,,,,,,,42.0,,,,,,,,,,121.0,,,,,,,,,")
	f.Add("29.02.2017,WED,FEB,2017,0,0,0,0,0,0" + strings.Repeat(",", 30))
	f.Fuzz(func(t *testing.T, line string) {
		text := ddopHeaderLine() + line + "\n"
		err := readDDOPData(context.Background(), strings.NewReader(text), "bakery_data.csv", func(d ddopDay) error {
			if !validDate(d.date) || d.rainfall < 0 || d.temperature < -60 || d.temperature > 60 {
				t.Fatalf("accepted %+v", d)
			}
			return nil
		})
		checkParseErr(t, err, "bakery_data.csv")
	})
}

func FuzzDDOPTargetLine(f *testing.F) {
	f.Add("204.0,42.0,121.0")
	f.Add("1,2,3e2")
	f.Add("-1,2,3")
	f.Fuzz(func(t *testing.T, line string) {
		text := "roll,seeded_roll,pretzel\n" + line + "\n"
		err := readDDOPTargets(context.Background(), strings.NewReader(text), "bakery_target.csv", func(q [3]int) {
			if q[0] < 0 || q[1] < 0 || q[2] < 0 {
				t.Fatalf("accepted %v", q)
			}
		})
		checkParseErr(t, err, "bakery_target.csv")
	})
}

func validDate(s string) bool {
	_, err := time.Parse(tools.DateLayout, s)
	return err == nil
}
