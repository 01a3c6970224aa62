package importer

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// groceriesFile is the Kaggle "Groceries dataset" (member-level baskets), named without .gz.
const groceriesFile = "groceries_dataset.csv"

// groceriesHeader is groceries_dataset.csv's header.
func groceriesHeader() []string { return []string{"Member_number", "Date", "itemDescription"} }

// Columns of groceries_dataset.csv.
const (
	grMember = iota
	grDate
	grItem
)

// groceriesDate is the Date column's layout, DD-MM-YYYY.
const groceriesDate = "02-01-2006"

// groceriesStoreID is the one store of the groceries data set.
const groceriesStoreID = "G1"

// Groceries imports the Kaggle "Groceries dataset" (heeraldedhia; ../shared/data/groceries): one
// line per item bought by a member on a day, 2014-01-01 to 2015-12-30, 3,898 members and 167 items.
// groceries_dataset.csv has the columns Member_number, Date (DD-MM-YYYY) and itemDescription, and
// may start with a byte-order mark and end lines in CRLF.
//
// A basket is a member and a date, as the data has no receipt numbers. What is imported:
//   - Stores: one, G1 "Groceries".
//   - Products: one per item description, IDs I001, I002, … in the order of the descriptions
//     (byte order, so "Instant food products" and "UHT-milk" come first); Name and NameEN the
//     description; Category from a fixed table of the 167 items (dairy, bakery, produce, meat,
//     …, "other" for an item not in it); Tags the description's words and the category, for
//     content-based neighbours. Price 0: the data has none.
//   - Customers: one per member, ID the number as written, JoinedOn the first basket's date,
//     HomeStoreID G1; gender and age are unknown.
//   - Orders: one per member and date, ID "<member>-<YYYYMMDD>", At noon UTC of the date (the
//     same calendar day in every time zone within 11 hours of UTC), Total 0.
//   - OrderItems: one per order and item; Quantity counts the item's lines in the basket
//     (an item may appear twice on a day), Price 0.
//   - Sales: per day and product, Quantity the lines sold; Price and Revenue 0.
type Groceries struct{}

// Name implements Importer.
func (Groceries) Name() string { return "groceries" }

// Describe implements Importer.
func (Groceries) Describe() string {
	return "Kaggle Groceries: 3,898 members' baskets (member + day) of 167 grocery items, 2014–2015"
}

// Detect implements Detector.
func (Groceries) Detect(dir string) bool { return hasAll(dir, groceriesFile) }

// Import implements Importer.
func (Groceries) Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error) {
	srcs, err := findSources(dir, groceriesFile)
	if err != nil {
		return nil, err
	}
	rep := newReporter(progress, srcs)
	type basketKey struct {
		member string
		date   string // YYYY-MM-DD
	}
	lines := map[basketKey]map[string]int{}
	first := map[string]string{}
	err = withFile(srcs[0], rep, func(r io.Reader, file string) error {
		return readGroceries(ctx, r, file, func(member, date, item string) {
			k := basketKey{member, date}
			if lines[k] == nil {
				lines[k] = map[string]int{}
			}
			lines[k][item]++
			if f, ok := first[member]; !ok || date < f {
				first[member] = date
			}
		})
	})
	if err != nil {
		return nil, err
	}
	rep.finish()
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s has no baskets", srcs[0].name)
	}
	items := map[string]bool{}
	for _, b := range lines {
		for it := range b {
			items[it] = true
		}
	}
	names := slices.Sorted(maps.Keys(items))
	ids := make(map[string]string, len(names))
	d := &store.Data{
		Stores:   []tools.Store{{ID: groceriesStoreID, Name: "Groceries", NameEN: "Groceries", District: "unknown", DistrictEN: "unknown"}},
		Holidays: []tools.Holiday{},
	}
	for i, n := range names {
		id := fmt.Sprintf("I%03d", i+1)
		ids[n] = id
		cat := groceriesCategory(n)
		d.Products = append(d.Products, tools.Product{ID: id, Name: n, NameEN: n, Category: cat, Tags: groceriesTags(n, cat)})
	}
	members := slices.SortedFunc(maps.Keys(first), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	for _, m := range members {
		d.Customers = append(d.Customers, tools.Customer{ID: m, JoinedOn: first[m], HomeStoreID: groceriesStoreID})
	}
	keys := slices.SortedFunc(maps.Keys(lines), func(a, b basketKey) int {
		return cmp.Or(strings.Compare(a.date, b.date), cmp.Compare(len(a.member), len(b.member)), strings.Compare(a.member, b.member))
	})
	sales := map[[2]string]int{}
	for _, k := range keys {
		day, _ := time.Parse(tools.DateLayout, k.date)
		id := k.member + "-" + strings.ReplaceAll(k.date, "-", "")
		d.Orders = append(d.Orders, tools.Order{ID: id, CustomerID: k.member, StoreID: groceriesStoreID, At: day.Add(12 * time.Hour)})
		b := lines[k]
		for _, it := range slices.Sorted(maps.Keys(b)) {
			d.OrderItems = append(d.OrderItems, tools.OrderItem{OrderID: id, ProductID: ids[it], Quantity: b[it]})
			sales[[2]string{k.date, ids[it]}] += b[it]
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(sales), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		d.Sales = append(d.Sales, tools.Sale{Date: k[0], StoreID: groceriesStoreID, ProductID: k[1], Quantity: sales[k]})
	}
	return d, nil
}

// readGroceries reads groceries_dataset.csv and calls fn with each line's member, date
// (YYYY-MM-DD) and item. A malformed field is a *ParseError.
func readGroceries(ctx context.Context, r io.Reader, file string, fn func(member, date, item string)) error {
	t, err := newTable(ctx, r, file, ",", groceriesHeader(), false)
	if err != nil {
		return err
	}
	for {
		ok, err := t.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		member, date, item, col, err := parseGroceriesLine(t.fields)
		if err != nil {
			return t.errorf(col, "%v", err)
		}
		fn(member, date, item)
	}
}

// parseGroceriesLine checks one record; on error it returns the 0-based column at fault.
func parseGroceriesLine(f []string) (member, date, item string, col int, err error) {
	m := f[grMember]
	n, perr := strconv.Atoi(m)
	if perr != nil || n < 1 || n > 1e9 || strconv.Itoa(n) != m {
		return "", "", "", grMember, fmt.Errorf("%q: want a member number like 1808", clip(m))
	}
	day, perr := time.Parse(groceriesDate, f[grDate])
	if perr != nil || day.Year() < 1900 {
		return "", "", "", grDate, fmt.Errorf("%q: want a date DD-MM-YYYY, like 21-07-2015", clip(f[grDate]))
	}
	item = strings.TrimSpace(f[grItem])
	if item == "" || len(item) > 200 || !utf8.ValidString(item) || strings.ContainsFunc(item, unicode.IsControl) {
		return "", "", "", grItem, fmt.Errorf("%q: want an item description like whole milk", clip(f[grItem]))
	}
	return m, day.Format(tools.DateLayout), item, 0, nil
}

// groceriesTags are the lower-case words of an item description (split at anything but letters
// and digits, "UHT-milk" giving uht and milk) followed by its category.
func groceriesTags(name, category string) []string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var tags []string
	for _, w := range words {
		if len(w) > 1 && !slices.Contains(tags, w) {
			tags = append(tags, w)
		}
	}
	return append(tags, category)
}

// groceriesCategory is the category of one of the data set's 167 items, "other" for an unknown one.
func groceriesCategory(name string) string {
	for cat, items := range groceriesCategories {
		if slices.Contains(items, name) {
			return cat
		}
	}
	return "other"
}

// groceriesCategories sorts the 167 items of the data set into aisles.
var groceriesCategories = map[string][]string{
	"dairy": {"whole milk", "yogurt", "whipped/sour cream", "butter", "curd", "cream cheese", "UHT-milk", "butter milk",
		"hard cheese", "sliced cheese", "soft cheese", "processed cheese", "spread cheese", "condensed milk",
		"specialty cheese", "curd cheese", "cream", "domestic eggs", "margarine", "specialty fat", "dessert"},
	"bakery": {"rolls/buns", "pastry", "brown bread", "white bread", "long life bakery product", "semi-finished bread",
		"waffles", "zwieback", "roll products", "cake bar"},
	"produce": {"other vegetables", "root vegetables", "tropical fruit", "citrus fruit", "pip fruit", "berries",
		"onions", "grapes", "herbs", "packaged fruit/vegetables", "specialty vegetables", "organic products", "nuts/prunes"},
	"meat": {"sausage", "frankfurter", "pork", "beef", "chicken", "hamburger meat", "ham", "meat", "turkey",
		"liver loaf", "meat spreads", "organic sausage"},
	"fish":      {"canned fish", "fish"},
	"frozen":    {"frozen vegetables", "frozen meals", "ice cream", "frozen fish", "frozen dessert", "frozen potato products", "frozen fruits", "frozen chicken"},
	"beverages": {"soda", "bottled water", "fruit/vegetable juice", "coffee", "beverages", "misc. beverages", "instant coffee", "tea", "cocoa drinks", "syrup"},
	"alcohol": {"canned beer", "bottled beer", "white wine", "red/blush wine", "liquor", "liquor (appetizer)", "sparkling wine",
		"brandy", "rum", "prosecco", "liqueur", "whisky"},
	"sweets": {"chocolate", "specialty chocolate", "candy", "specialty bar", "chewing gum", "chocolate marshmallow",
		"sweet spreads", "jam", "honey", "cooking chocolate", "pudding powder"},
	"snacks": {"salty snack", "popcorn", "snack products", "nut snack", "tidbits"},
	"pantry": {"sugar", "oil", "flour", "pickled vegetables", "baking powder", "pasta", "mustard", "salt", "canned vegetables",
		"mayonnaise", "finished products", "Instant food products", "vinegar", "rice", "soups", "sauces", "cereals", "spices",
		"ketchup", "artif. sweetener", "potato products", "canned fruit", "ready soups", "salad dressing", "seasonal products",
		"preservation products"},
	"household": {"shopping bags", "napkins", "dishes", "detergent", "cling film/bags", "dish cleaner", "candles",
		"house keeping products", "softener", "cleaner", "kitchen towels", "light bulbs", "abrasive cleaner", "cookware",
		"bathroom cleaner", "decalcifier", "toilet cleaner", "bags", "kitchen utensil", "photo/film", "newspapers"},
	"personal_care": {"hygiene articles", "female sanitary products", "male cosmetics", "dental care", "soap", "skin care",
		"hair spray", "rubbing alcohol", "make up remover", "baby cosmetics"},
	"pet":    {"cat food", "pet care", "dog food"},
	"garden": {"pot plants", "flower (seeds)", "flower soil/fertilizer"},
}
