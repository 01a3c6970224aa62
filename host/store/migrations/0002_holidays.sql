-- 0002_holidays adds the holidays dataset: the public holidays of the
-- calendar the brand's data follows (Korean for the demo brand, a German
-- state's for the imported German bakeries), so that forecasters need not
-- assume one country.

CREATE TABLE holidays (
    date    TEXT NOT NULL PRIMARY KEY, -- 'YYYY-MM-DD'
    name    TEXT NOT NULL,
    name_en TEXT NOT NULL
);
