package importer

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/crumb-dev/crumb/tools"
)

// utf16LE encodes s as UTF-16 LE with a byte order mark, as item_mapping.txt is.
func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

const northSeaHead = "date,10,126,is_open,holidays,gaestezahlen,arrival,departure,temperature,precipitation,cloud_cover,wind_speed,wind_direction\n"

func northSeaFiles() map[string]string {
	pad := strings.Repeat("\t", 18)
	return map[string]string{
		northSeaMappingFile: utf16LE("Nummer\tName" + pad + "\r\n10\tNormale" + pad + "\r\n126" + pad + "\t\r\n9999\tKorrektur" + pad),
		northSeaSalesFile: northSeaHead +
			"2019-02-20,61.0,0.0,8.0,24.0,13200.0,2.0,2.0,6739.79,0.21000000000000002,2173.0,161.08,5604.0\n" +
			"2019-12-25,0.0,0.0,0.0,384.0,0.0,0.0,0.0,6704.8,0.26,1144.0,140.0,5000.0\n" + // closed
			"2020-03-29,5.0,1.0,6.0,0.0,0.0,2.0,2.0,6380.63,0.34,572.0,260.18,828.0\n", // 23-hour day
	}
}

func TestNorthSeaFixture(t *testing.T) {
	d, err := NorthSea{}.Import(context.Background(), writeFiles(t, northSeaFiles()), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProducts := []tools.Product{
		{ID: "A10", Name: "Normale", NameEN: "Plain roll", Category: "bread", Tags: []string{}},
		{ID: "A126", Name: "Artikel 126", NameEN: "Item 126", Category: "pastry", Tags: []string{}},
	}
	if !reflect.DeepEqual(d.Products, wantProducts) {
		t.Errorf("products = %+v", d.Products)
	}
	if len(d.Stores) != 1 || d.Stores[0].ID != "N1" || d.Stores[0].District != "Nordsee" || d.Stores[0].Name != "Inselbäckerei" {
		t.Errorf("stores = %+v", d.Stores)
	}
	wantSales := []tools.Sale{
		{Date: "2019-02-20", StoreID: "N1", ProductID: "A10", Quantity: 61},
		{Date: "2019-02-20", StoreID: "N1", ProductID: "A126", Quantity: 0},
		{Date: "2020-03-29", StoreID: "N1", ProductID: "A10", Quantity: 5},
		{Date: "2020-03-29", StoreID: "N1", ProductID: "A126", Quantity: 1},
	}
	if !reflect.DeepEqual(d.Sales, wantSales) {
		t.Errorf("sales = %+v", d.Sales)
	}
	wantWeather := []tools.Weather{
		{Date: "2019-02-20", District: "Nordsee", TempMax: 7.67, TempMin: 7.67, Precipitation: 0.21}, // 6739.79/24 − 273.15
		{Date: "2019-12-25", District: "Nordsee", TempMax: 6.22, TempMin: 6.22, Precipitation: 0.26},
		{Date: "2020-03-29", District: "Nordsee", TempMax: 4.27, TempMin: 4.27, Precipitation: 0.34}, // 6380.63/23 − 273.15
	}
	if !reflect.DeepEqual(d.Weather, wantWeather) {
		t.Errorf("weather = %+v", d.Weather)
	}
	if first, last := d.Holidays[0].Date, d.Holidays[len(d.Holidays)-1].Date; first != "2019-01-01" || last != "2021-12-26" {
		t.Errorf("holidays run %s … %s, want 2019-01-01 … 2021-12-26", first, last)
	}
}

func TestItemMappingEncodings(t *testing.T) {
	tests := []struct {
		name, content string
	}{
		{"UTF-16 LE with BOM", utf16LE("Nummer\tName\r\n11\tMohnbrötchen\r\n")},
		{"UTF-16 BE with BOM", func() string {
			b := []byte{0xFE, 0xFF}
			for _, u := range utf16.Encode([]rune("Nummer\tName\r\n11\tMohnbrötchen\r\n")) {
				b = append(b, byte(u>>8), byte(u))
			}
			return string(b)
		}()},
		{"UTF-8 with BOM", "\uFEFFNummer\tName\n11\tMohnbrötchen\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[int]string{}
			err := readItemMapping(context.Background(), strings.NewReader(tt.content), "item_mapping.txt.gz", func(id int, name string) { got[id] = name })
			if err != nil || !reflect.DeepEqual(got, map[int]string{11: "Mohnbrötchen"}) {
				t.Errorf("read %v, %v", got, err)
			}
		})
	}
}

func TestNorthSeaErrors(t *testing.T) {
	day := "2019-02-20,61.0,0.0,8.0,24.0,13200.0,2.0,2.0,6739.79,0.21,2173.0,161.08,5604.0\n"
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{"mapping without BOM as UTF-16", northSeaMappingFile, string([]byte{'N', 0, 'u', 0}),
			`item_mapping.txt.gz line 1: header is "N\x00u\x00": want "Nummer\tName" (columns separated by tabs); the file must be UTF-16 with a byte order mark, or UTF-8`},
		{"mapping header", northSeaMappingFile, utf16LE("Nr\tName\r\n"), `item_mapping.txt.gz line 1: header is "Nr\tName"`},
		{"mapping number", northSeaMappingFile, utf16LE("Nummer\tName\r\nx\tBrot\r\n"), `line 2, column 1 (Nummer): "x": want an item number`},
		{"mapping twice", northSeaMappingFile, utf16LE("Nummer\tName\r\n1\tBrot\r\n1\tBrot\r\n"), "line 3, column 1 (Nummer): item 1 again: first on line 2"},
		{"mapping extra column", northSeaMappingFile, utf16LE("Nummer\tName\r\n1\tBrot\t3,50\r\n"), `line 2, column 3: unexpected value "3,50" after the last column (Name)`},
		{"sales header tail", northSeaSalesFile, strings.Replace(northSeaHead, "is_open", "open", 1) + day,
			`sales_forecasting_1d_top64.csv.gz line 1: header column 4 is "open": want "is_open"`},
		{"sales header item", northSeaSalesFile, strings.Replace(northSeaHead, ",126,", ",Brot,", 1) + day,
			`line 1: header column 3 is "Brot": want an item number`},
		{"sales header item twice", northSeaSalesFile, strings.Replace(northSeaHead, ",126,", ",10,", 1) + day, "header column 3: item 10 appears twice"},
		{"sales header short", northSeaSalesFile, "date,is_open\n", `header "date,is_open": want date, the item numbers, then is_open,holidays`},
		{"sales empty", northSeaSalesFile, northSeaHead, "has no rows"},
		{"sales fraction", northSeaSalesFile, northSeaHead + strings.Replace(day, "61.0", "61.5", 1),
			`line 2, column 2 (10): "61.5" is not a count: want a whole number ≥ 0`},
		{"sales negative", northSeaSalesFile, northSeaHead + strings.Replace(day, "61.0", "-1", 1), `column 2 (10): "-1" is not a count`},
		{"sales columns", northSeaSalesFile, northSeaHead + "2019-02-20,1,2\n", "line 2: 3 columns: want 13 (date, 10, 126, … wind_speed, wind_direction), separated by commas"},
		{"sales order", northSeaSalesFile, northSeaHead + day + day, "line 3, column 1 (date): 2019-02-20 after 2019-02-20: want one line per day in date order"},
		{"sales celsius", northSeaSalesFile, northSeaHead + strings.Replace(day, "6739.79", "7.5", 1),
			"column 9 (temperature): 7.5: want the sum of 24 hourly temperatures in kelvin (about 24 × 280)"},
		{"sales rain", northSeaSalesFile, northSeaHead + strings.Replace(day, "0.21", "-0.2", 1), "column 10 (precipitation): -0.2: want ≥ 0"},
		{"sales hours", northSeaSalesFile, northSeaHead + strings.Replace(day, ",8.0,24.0,", ",30,24.0,", 1), "column 4 (is_open): 30 opening hours: want 0–25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := northSeaFiles()
			files[tt.file] = tt.content
			_, err := NorthSea{}.Import(context.Background(), writeFiles(t, files), nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v\nwant containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDayHours(t *testing.T) {
	for date, want := range map[string]int{
		"2019-03-31": 23, "2020-03-29": 23, "2021-03-28": 23, "2022-03-27": 23, "2023-03-26": 23,
		"2020-03-22": 24, "2019-10-27": 24, "2020-04-05": 24, "2020-03-30": 24,
	} {
		d, _ := time.Parse(tools.DateLayout, date)
		if got := dayHours(d); got != want {
			t.Errorf("dayHours(%s) = %d, want %d", date, got, want)
		}
	}
}
