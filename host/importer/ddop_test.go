package importer

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// ddopFixture is bakery_data.csv with the given lines, each the first ten
// columns; the lag columns are appended empty.
func ddopFixture(lines ...string) string {
	h := ddopHeader()
	var b strings.Builder
	b.WriteString(strings.Join(h, ",") + "\n")
	for _, l := range lines {
		b.WriteString(l + strings.Repeat(",", len(h)-ddLags) + "\n")
	}
	return b.String()
}

func ddopFiles() map[string]string {
	return map[string]string{
		ddopTargetFile: "roll,seeded_roll,pretzel\n204.0,42.0,121.0\n0.0,0.0,0.0\n273,51,119\n",
		ddopDataFile: ddopFixture(
			"24.03.2016,THU,MAR,2016,1,0,0.1,3.3,1,0",
			"25.03.2016,FRI,MAR,2016,1,1,9.8,5.7,0,1",  // Good Friday, closed
			"27.03.2016,SUN,MAR,2016,1,1,0.0,-1.5,0,0", // Easter Sunday; a day missing is fine
		),
	}
}

func TestDDOPFixture(t *testing.T) {
	d, err := DDOP{}.Import(context.Background(), writeFiles(t, ddopFiles()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stores) != 1 || d.Stores[0].ID != "D1" || len(d.Products) != 3 || d.Products[2].ID != "pretzel" {
		t.Errorf("stores %+v, products %+v", d.Stores, d.Products)
	}
	wantSales := []tools.Sale{
		{Date: "2016-03-24", StoreID: "D1", ProductID: "roll", Quantity: 204, Promotion: true},
		{Date: "2016-03-24", StoreID: "D1", ProductID: "seeded_roll", Quantity: 42, Promotion: true},
		{Date: "2016-03-24", StoreID: "D1", ProductID: "pretzel", Quantity: 121, Promotion: true},
		{Date: "2016-03-27", StoreID: "D1", ProductID: "roll", Quantity: 273},
		{Date: "2016-03-27", StoreID: "D1", ProductID: "seeded_roll", Quantity: 51},
		{Date: "2016-03-27", StoreID: "D1", ProductID: "pretzel", Quantity: 119},
	}
	if !reflect.DeepEqual(d.Sales, wantSales) {
		t.Errorf("sales = %+v", d.Sales)
	}
	wantWeather := []tools.Weather{
		{Date: "2016-03-24", District: ddopDistrict, TempMax: 3.3, TempMin: 3.3, Precipitation: 0.1},
		{Date: "2016-03-25", District: ddopDistrict, TempMax: 5.7, TempMin: 5.7, Precipitation: 9.8},
		{Date: "2016-03-27", District: ddopDistrict, TempMax: -1.5, TempMin: -1.5},
	}
	if !reflect.DeepEqual(d.Weather, wantWeather) {
		t.Errorf("weather = %+v", d.Weather)
	}
	// The marks agree with Baden-Württemberg's calendar on the data's days,
	// so it continues through 2017.
	want := []tools.Holiday{
		{Date: "2016-03-25", Name: "Karfreitag", NameEN: "Good Friday"},
		{Date: "2016-03-27", Name: "Ostersonntag", NameEN: "Easter Sunday"},
		{Date: "2016-03-28", Name: "Ostermontag", NameEN: "Easter Monday"},
	}
	if len(d.Holidays) < 3 || !reflect.DeepEqual(d.Holidays[:3], want) {
		t.Errorf("holidays start %+v", d.Holidays)
	}
	if last := d.Holidays[len(d.Holidays)-1]; last.Date != "2017-12-26" {
		t.Errorf("holidays end %+v, want 2017-12-26", last)
	}

	// A mark the calendar does not have stops the continuation, and an
	// unknown holiday keeps a generic name.
	files := ddopFiles()
	files[ddopDataFile] = strings.Replace(files[ddopDataFile], "24.03.2016,THU,MAR,2016,1,0", "24.03.2016,THU,MAR,2016,1,1", 1)
	d, err = DDOP{}.Import(context.Background(), writeFiles(t, files), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Holidays) != 3 || d.Holidays[0] != (tools.Holiday{Date: "2016-03-24", Name: "Feiertag", NameEN: "Public holiday"}) {
		t.Errorf("holidays = %+v", d.Holidays)
	}
}

func TestDDOPErrors(t *testing.T) {
	row := "24.03.2016,THU,MAR,2016,1,0,0.1,3.3,1,0"
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{"target header", ddopTargetFile, "roll,pretzel,seeded_roll\n", `bakery_target.csv.gz line 1: header is "roll,pretzel,seeded_roll": want "roll,seeded_roll,pretzel"`},
		{"target fraction", ddopTargetFile, "roll,seeded_roll,pretzel\n1,2.5,3\n", `bakery_target.csv.gz line 2, column 2 (seeded_roll): "2.5" is not a count`},
		{"target missing value", ddopTargetFile, "roll,seeded_roll,pretzel\n1,,3\n", `column 2 (seeded_roll): "" is not a count`},
		{"fewer targets", ddopTargetFile, "roll,seeded_roll,pretzel\n1,2,3\n", "bakery_data.csv.gz line 3: a row beyond the 1 of bakery_target.csv.gz: the files must be row-aligned"},
		{"more targets", ddopTargetFile, "roll,seeded_roll,pretzel\n1,2,3\n1,2,3\n1,2,3\n1,2,3\n", "bakery_data.csv.gz has 3 rows but bakery_target.csv.gz has 4: the files must be row-aligned"},
		{"data header", ddopDataFile, "date,weekday\n", `bakery_data.csv.gz line 1: header is "date,weekday": want "date,weekday,month`},
		{"weekday", ddopDataFile, ddopFixture(strings.Replace(row, "THU", "WED", 1)), `bakery_data.csv.gz line 2, column 2 (weekday): "WED": 24.03.2016 is a Thursday, want THU`},
		{"month", ddopDataFile, ddopFixture(strings.Replace(row, "MAR", "APR", 1)), `column 3 (month): "APR": want MAR for 24.03.2016`},
		{"year", ddopDataFile, ddopFixture(strings.Replace(row, ",2016,", ",2017,", 1)), `column 4 (year): "2017": want 2016 for 24.03.2016`},
		{"date", ddopDataFile, ddopFixture(strings.Replace(row, "24.03.2016", "2016-03-24", 1)), `column 1 (date): "2016-03-24" is not a date: want DD.MM.YYYY, like 02.03.2016`},
		{"flag", ddopDataFile, ddopFixture(strings.Replace(row, ",1,0,0.1", ",1,2,0.1", 1)), `column 6 (is_holiday): "2": want 0 or 1`},
		{"rain", ddopDataFile, ddopFixture(strings.Replace(row, "0.1,3.3", "-1,3.3", 1)), "column 7 (rainfall): -1 mm: want 0–500"},
		{"temperature", ddopDataFile, ddopFixture(strings.Replace(row, "0.1,3.3", "0.1,3,3", 1)), "line 2: 41 columns: want 40"},
		{"lag", ddopDataFile, ddopHeaderLine() + row + ",x" + strings.Repeat(",", 29) + "\n",
			`column 11 (roll_t1): "x" is not a number`},
		{"lag disagrees with the targets", ddopDataFile, ddopHeaderLine() + row + strings.Repeat(",", 30) + "\n" + "25.03.2016,FRI,MAR,2016,1,1,9.8,5.7,0,1,205" + strings.Repeat(",", 29) + "\n" +
			"26.03.2016,SAT,MAR,2016,1,0,9.8,5.7,0,1" + strings.Repeat(",", 30) + "\n",
			"bakery_data.csv.gz row 2 (2016-03-25) has roll_t1 = 205, but row 1 of bakery_target.csv.gz has roll = 204: the files are not row-aligned"},
		{"order", ddopDataFile, ddopFixture(row, row), "line 3, column 1 (date): 2016-03-24 after 2016-03-24: want one line per day in date order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := ddopFiles()
			files[tt.file] = tt.content
			_, err := DDOP{}.Import(context.Background(), writeFiles(t, files), nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v\nwant containing %q", err, tt.wantErr)
			}
		})
	}
}

func ddopHeaderLine() string { return strings.Join(ddopHeader(), ",") + "\n" }
