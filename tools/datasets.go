package tools

import "time"

// Dataset names a plugin may declare in Capabilities.Datasets and read with
// HostAPI.ReadDataset. Each dataset's rows are JSON objects of the Go type
// named beside it.
const (
	DatasetStores     = "stores"      // Store
	DatasetProducts   = "products"    // Product
	DatasetProduction = "production"  // Production
	DatasetSales      = "sales"       // Sale
	DatasetStock      = "stock"       // StockSnapshot
	DatasetWeather    = "weather"     // Weather
	DatasetCustomers  = "customers"   // Customer
	DatasetOrders     = "orders"      // Order
	DatasetOrderItems = "order_items" // OrderItem
	DatasetIntraday   = "intraday"    // IntradayShare
	DatasetHolidays   = "holidays"    // Holiday
)

// Datasets lists every dataset the host serves, in a stable order.
var Datasets = []string{
	DatasetStores, DatasetProducts, DatasetProduction, DatasetSales, DatasetStock,
	DatasetWeather, DatasetCustomers, DatasetOrders, DatasetOrderItems, DatasetIntraday,
	DatasetHolidays,
}

// DateLayout is the layout of every calendar date in datasets and tool
// arguments (dates are local to the brand's time zone, Asia/Seoul).
const DateLayout = "2006-01-02"

// DatasetQuery selects rows of one dataset. Empty filters select everything;
// filters that do not apply to a dataset (Products on "stores") are ignored.
type DatasetQuery struct {
	Dataset  string   `json:"dataset"`
	Stores   []string `json:"stores,omitempty"`
	Products []string `json:"products,omitempty"`
	// From and To bound the row's date (or day of its timestamp), inclusive,
	// as YYYY-MM-DD.
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// Store is one shop of the brand.
type Store struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`        // Korean name, e.g. 강남점
	NameEN     string  `json:"name_en"`     // English name, e.g. Gangnam
	District   string  `json:"district"`    // Seoul district, e.g. 강남구
	DistrictEN string  `json:"district_en"` // e.g. Gangnam-gu
	Area       string  `json:"area"`        // trade area: office, residential, university, tourist, station
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	OpenedOn   string  `json:"opened_on"`
}

// Product is one item of the catalogue.
type Product struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`    // Korean name, e.g. 크루아상
	NameEN         string   `json:"name_en"` // English name, e.g. Croissant
	Category       string   `json:"category"`
	Tags           []string `json:"tags"`
	Price          int      `json:"price"` // KRW
	ShelfLifeHours int      `json:"shelf_life_hours"`
	Allergens      []string `json:"allergens,omitempty"`
}

// Production is how many units of a product a store baked on a day.
type Production struct {
	Date      string `json:"date"`
	StoreID   string `json:"store_id"`
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
}

// Sale is one day's sales of a product at a store.
type Sale struct {
	Date      string `json:"date"`
	StoreID   string `json:"store_id"`
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
	Price     int    `json:"price"`   // unit price charged that day, KRW
	Revenue   int    `json:"revenue"` // KRW
	Promotion bool   `json:"promotion"`
}

// StockSnapshot is the stock on hand of a product at a store at one moment.
type StockSnapshot struct {
	StoreID   string    `json:"store_id"`
	ProductID string    `json:"product_id"`
	At        time.Time `json:"at"`
	Quantity  int       `json:"quantity"`
}

// Weather is one day's weather in a district; Forecast marks days not yet observed.
type Weather struct {
	Date          string  `json:"date"`
	District      string  `json:"district"`
	TempMax       float64 `json:"temp_max"`      // °C
	TempMin       float64 `json:"temp_min"`      // °C
	Precipitation float64 `json:"precipitation"` // mm
	Forecast      bool    `json:"forecast"`
}

// Customer is a member of the loyalty programme.
type Customer struct {
	ID          string `json:"id"`
	Gender      string `json:"gender"`   // F or M
	AgeBand     string `json:"age_band"` // 10s, 20s, … 60s
	JoinedOn    string `json:"joined_on"`
	HomeStoreID string `json:"home_store_id"`
}

// Order is one member purchase.
type Order struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	StoreID    string    `json:"store_id"`
	At         time.Time `json:"at"`
	Total      int       `json:"total"` // KRW
}

// OrderItem is one line of an order.
type OrderItem struct {
	OrderID   string `json:"order_id"`
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
	Price     int    `json:"price"` // unit price, KRW
}

// IntradayShare is the share of a day's sales of a category at a store that
// falls in one opening hour (Hour is 0–23, local time). Shares of a store and
// category sum to 1.
type IntradayShare struct {
	StoreID  string  `json:"store_id"`
	Category string  `json:"category"`
	Hour     int     `json:"hour"`
	Share    float64 `json:"share"`
}

// Holiday is a public holiday in the calendar of the brand's data: Korean for
// the demo brand, the German state's for imported German bakeries. Forecasters
// read it instead of assuming one country's calendar.
type Holiday struct {
	Date   string `json:"date"`
	Name   string `json:"name"`    // name in the calendar's language, e.g. 설날, Karfreitag
	NameEN string `json:"name_en"` // English name, e.g. Good Friday
}
