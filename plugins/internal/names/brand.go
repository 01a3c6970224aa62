package names

import (
	"fmt"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Store resolves a store id, Korean or English name or district (강남점,
// 강남, Gangnam, 강남구). An unknown store is a tools.Failure, in the
// caller's locale, that lists the stores.
func Store(stores []tools.Store, q, locale string) (tools.Store, error) {
	s, ok := Best(q, stores, func(s tools.Store) []string {
		return []string{s.ID, s.Name, strings.TrimSuffix(s.Name, "점"), s.NameEN, s.District, strings.TrimSuffix(s.District, "구"), s.DistrictEN}
	})
	if ok {
		return s, nil
	}
	known := make([]string, 0, len(stores))
	for _, s := range stores {
		known = append(known, fmt.Sprintf("%s (%s)", s.Name, s.NameEN))
	}
	if locale == "ko" {
		return s, tools.Failf("%q 매장을 찾을 수 없어요. 매장 목록: %s", q, strings.Join(known, ", "))
	}
	return s, tools.Failf("unknown store %q; known stores: %s", q, strings.Join(known, ", "))
}

// Product resolves a product id or its Korean or English name. An unknown
// product is a tools.Failure in the caller's locale.
func Product(products []tools.Product, q, locale string) (tools.Product, error) {
	p, ok := Best(q, products, func(p tools.Product) []string { return []string{p.ID, p.Name, p.NameEN} })
	if ok {
		return p, nil
	}
	if locale == "ko" {
		return p, tools.Failf("%q 상품을 찾을 수 없어요. 한글 또는 영문 상품명으로 물어봐 주세요 (예: 크루아상, croissant).", q)
	}
	return p, tools.Failf("unknown product %q; try its Korean or English name, e.g. 크루아상 or croissant", q)
}

// categoriesKO are the product categories' Korean names.
var categoriesKO = map[string]string{"bread": "빵", "pastry": "페이스트리", "cake": "케이크", "sandwich": "샌드위치", "cookie": "쿠키", "beverage": "음료", "other": "기타"}

// CategoryKO is a product category's Korean name; an unknown category
// stays as it is.
func CategoryKO(category string) string {
	if ko, ok := categoriesKO[category]; ok {
		return ko
	}
	return category
}
