package holidays

// table lists every holiday in date order. It is read-only: Lookup searches
// it and In copies from it. The weekday after each row is a reading aid.
var table = []Holiday{
	// 2015
	{Date: "2015-01-01", Name: "신정", NameEN: "New Year's Day"},                                              // Thu
	{Date: "2015-02-18", Name: "설날 전날", NameEN: "Day before Seollal"},                                       // Wed
	{Date: "2015-02-19", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                              // Thu
	{Date: "2015-02-20", Name: "설날 다음날", NameEN: "Day after Seollal"},                                       // Fri
	{Date: "2015-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                  // Sun
	{Date: "2015-05-05", Name: "어린이날", NameEN: "Children's Day"},                                            // Tue
	{Date: "2015-05-25", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                       // Mon
	{Date: "2015-06-06", Name: "현충일", NameEN: "Memorial Day"},                                               // Sat
	{Date: "2015-08-14", Name: "임시공휴일(광복 70주년)", NameEN: "Temporary holiday (70th Liberation anniversary)"}, // Fri
	{Date: "2015-08-15", Name: "광복절", NameEN: "Liberation Day"},                                             // Sat
	{Date: "2015-09-26", Name: "추석 전날", NameEN: "Day before Chuseok"},                                       // Sat
	{Date: "2015-09-27", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                               // Sun
	{Date: "2015-09-28", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                       // Mon
	{Date: "2015-09-29", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},       // Tue
	{Date: "2015-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                    // Sat
	{Date: "2015-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                // Fri
	{Date: "2015-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                              // Fri

	// 2016
	{Date: "2016-01-01", Name: "신정", NameEN: "New Year's Day"},                                        // Fri
	{Date: "2016-02-07", Name: "설날 전날", NameEN: "Day before Seollal"},                                 // Sun
	{Date: "2016-02-08", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                        // Mon
	{Date: "2016-02-09", Name: "설날 다음날", NameEN: "Day after Seollal"},                                 // Tue
	{Date: "2016-02-10", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true}, // Wed
	{Date: "2016-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                            // Tue
	{Date: "2016-04-13", Name: "제20대 국회의원선거일", NameEN: "20th National Assembly election"},             // Wed
	{Date: "2016-05-05", Name: "어린이날", NameEN: "Children's Day"},                                      // Thu
	{Date: "2016-05-06", Name: "임시공휴일", NameEN: "Temporary holiday"},                                  // Fri
	{Date: "2016-05-14", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                 // Sat
	{Date: "2016-06-06", Name: "현충일", NameEN: "Memorial Day"},                                         // Mon
	{Date: "2016-08-15", Name: "광복절", NameEN: "Liberation Day"},                                       // Mon
	{Date: "2016-09-14", Name: "추석 전날", NameEN: "Day before Chuseok"},                                 // Wed
	{Date: "2016-09-15", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                         // Thu
	{Date: "2016-09-16", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                 // Fri
	{Date: "2016-10-03", Name: "개천절", NameEN: "National Foundation Day"},                              // Mon
	{Date: "2016-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                          // Sun
	{Date: "2016-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                        // Sun

	// 2017
	{Date: "2017-01-01", Name: "신정", NameEN: "New Year's Day"},                                        // Sun
	{Date: "2017-01-27", Name: "설날 전날", NameEN: "Day before Seollal"},                                 // Fri
	{Date: "2017-01-28", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                        // Sat
	{Date: "2017-01-29", Name: "설날 다음날", NameEN: "Day after Seollal"},                                 // Sun
	{Date: "2017-01-30", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true}, // Mon
	{Date: "2017-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                            // Wed
	{Date: "2017-05-03", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                 // Wed
	{Date: "2017-05-05", Name: "어린이날", NameEN: "Children's Day"},                                      // Fri
	{Date: "2017-05-09", Name: "제19대 대통령선거일", NameEN: "19th presidential election"},                   // Tue
	{Date: "2017-06-06", Name: "현충일", NameEN: "Memorial Day"},                                         // Tue
	{Date: "2017-08-15", Name: "광복절", NameEN: "Liberation Day"},                                       // Tue
	{Date: "2017-10-02", Name: "임시공휴일", NameEN: "Temporary holiday"},                                  // Mon
	{Date: "2017-10-03", Name: "추석 전날, 개천절", NameEN: "Day before Chuseok; National Foundation Day"},   // Tue
	{Date: "2017-10-04", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                         // Wed
	{Date: "2017-10-05", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                 // Thu
	{Date: "2017-10-06", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true}, // Fri
	{Date: "2017-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                          // Mon
	{Date: "2017-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                        // Mon

	// 2018
	{Date: "2018-01-01", Name: "신정", NameEN: "New Year's Day"},                                                 // Mon
	{Date: "2018-02-15", Name: "설날 전날", NameEN: "Day before Seollal"},                                          // Thu
	{Date: "2018-02-16", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                 // Fri
	{Date: "2018-02-17", Name: "설날 다음날", NameEN: "Day after Seollal"},                                          // Sat
	{Date: "2018-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                     // Thu
	{Date: "2018-05-05", Name: "어린이날", NameEN: "Children's Day"},                                               // Sat
	{Date: "2018-05-07", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true}, // Mon
	{Date: "2018-05-22", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                          // Tue
	{Date: "2018-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                  // Wed
	{Date: "2018-06-13", Name: "제7회 전국동시지방선거일", NameEN: "7th local elections"},                                 // Wed
	{Date: "2018-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                // Wed
	{Date: "2018-09-23", Name: "추석 전날", NameEN: "Day before Chuseok"},                                          // Sun
	{Date: "2018-09-24", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                  // Mon
	{Date: "2018-09-25", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                          // Tue
	{Date: "2018-09-26", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},          // Wed
	{Date: "2018-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                       // Wed
	{Date: "2018-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                   // Tue
	{Date: "2018-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                 // Tue

	// 2019
	{Date: "2019-01-01", Name: "신정", NameEN: "New Year's Day"},                                                 // Tue
	{Date: "2019-02-04", Name: "설날 전날", NameEN: "Day before Seollal"},                                          // Mon
	{Date: "2019-02-05", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                 // Tue
	{Date: "2019-02-06", Name: "설날 다음날", NameEN: "Day after Seollal"},                                          // Wed
	{Date: "2019-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                     // Fri
	{Date: "2019-05-05", Name: "어린이날", NameEN: "Children's Day"},                                               // Sun
	{Date: "2019-05-06", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true}, // Mon
	{Date: "2019-05-12", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                          // Sun
	{Date: "2019-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                  // Thu
	{Date: "2019-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                // Thu
	{Date: "2019-09-12", Name: "추석 전날", NameEN: "Day before Chuseok"},                                          // Thu
	{Date: "2019-09-13", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                  // Fri
	{Date: "2019-09-14", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                          // Sat
	{Date: "2019-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                       // Thu
	{Date: "2019-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                   // Wed
	{Date: "2019-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                 // Wed

	// 2020
	{Date: "2020-01-01", Name: "신정", NameEN: "New Year's Day"},                                        // Wed
	{Date: "2020-01-24", Name: "설날 전날", NameEN: "Day before Seollal"},                                 // Fri
	{Date: "2020-01-25", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                        // Sat
	{Date: "2020-01-26", Name: "설날 다음날", NameEN: "Day after Seollal"},                                 // Sun
	{Date: "2020-01-27", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true}, // Mon
	{Date: "2020-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                            // Sun
	{Date: "2020-04-15", Name: "제21대 국회의원선거일", NameEN: "21st National Assembly election"},             // Wed
	{Date: "2020-04-30", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                 // Thu
	{Date: "2020-05-05", Name: "어린이날", NameEN: "Children's Day"},                                      // Tue
	{Date: "2020-06-06", Name: "현충일", NameEN: "Memorial Day"},                                         // Sat
	{Date: "2020-08-15", Name: "광복절", NameEN: "Liberation Day"},                                       // Sat
	{Date: "2020-08-17", Name: "임시공휴일", NameEN: "Temporary holiday"},                                  // Mon
	{Date: "2020-09-30", Name: "추석 전날", NameEN: "Day before Chuseok"},                                 // Wed
	{Date: "2020-10-01", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                         // Thu
	{Date: "2020-10-02", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                 // Fri
	{Date: "2020-10-03", Name: "개천절", NameEN: "National Foundation Day"},                              // Sat
	{Date: "2020-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                          // Fri
	{Date: "2020-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                        // Fri

	// 2021
	{Date: "2021-01-01", Name: "신정", NameEN: "New Year's Day"},                                                         // Fri
	{Date: "2021-02-11", Name: "설날 전날", NameEN: "Day before Seollal"},                                                  // Thu
	{Date: "2021-02-12", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                         // Fri
	{Date: "2021-02-13", Name: "설날 다음날", NameEN: "Day after Seollal"},                                                  // Sat
	{Date: "2021-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                             // Mon
	{Date: "2021-05-05", Name: "어린이날", NameEN: "Children's Day"},                                                       // Wed
	{Date: "2021-05-19", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                                  // Wed
	{Date: "2021-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                          // Sun
	{Date: "2021-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                        // Sun
	{Date: "2021-08-16", Name: "대체공휴일(광복절)", NameEN: "Substitute holiday (Liberation Day)", Substitute: true},          // Mon
	{Date: "2021-09-20", Name: "추석 전날", NameEN: "Day before Chuseok"},                                                  // Mon
	{Date: "2021-09-21", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                          // Tue
	{Date: "2021-09-22", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                                  // Wed
	{Date: "2021-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                               // Sun
	{Date: "2021-10-04", Name: "대체공휴일(개천절)", NameEN: "Substitute holiday (National Foundation Day)", Substitute: true}, // Mon
	{Date: "2021-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                           // Sat
	{Date: "2021-10-11", Name: "대체공휴일(한글날)", NameEN: "Substitute holiday (Hangeul Day)", Substitute: true},             // Mon
	{Date: "2021-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                         // Sat

	// 2022
	{Date: "2022-01-01", Name: "신정", NameEN: "New Year's Day"},                                             // Sat
	{Date: "2022-01-31", Name: "설날 전날", NameEN: "Day before Seollal"},                                      // Mon
	{Date: "2022-02-01", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                             // Tue
	{Date: "2022-02-02", Name: "설날 다음날", NameEN: "Day after Seollal"},                                      // Wed
	{Date: "2022-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                 // Tue
	{Date: "2022-03-09", Name: "제20대 대통령선거일", NameEN: "20th presidential election"},                        // Wed
	{Date: "2022-05-05", Name: "어린이날", NameEN: "Children's Day"},                                           // Thu
	{Date: "2022-05-08", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                      // Sun
	{Date: "2022-06-01", Name: "제8회 전국동시지방선거일", NameEN: "8th local elections"},                             // Wed
	{Date: "2022-06-06", Name: "현충일", NameEN: "Memorial Day"},                                              // Mon
	{Date: "2022-08-15", Name: "광복절", NameEN: "Liberation Day"},                                            // Mon
	{Date: "2022-09-09", Name: "추석 전날", NameEN: "Day before Chuseok"},                                      // Fri
	{Date: "2022-09-10", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                              // Sat
	{Date: "2022-09-11", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                      // Sun
	{Date: "2022-09-12", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},      // Mon
	{Date: "2022-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                   // Mon
	{Date: "2022-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                               // Sun
	{Date: "2022-10-10", Name: "대체공휴일(한글날)", NameEN: "Substitute holiday (Hangeul Day)", Substitute: true}, // Mon
	{Date: "2022-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                             // Sun

	// 2023
	{Date: "2023-01-01", Name: "신정", NameEN: "New Year's Day"},                                                      // Sun
	{Date: "2023-01-21", Name: "설날 전날", NameEN: "Day before Seollal"},                                               // Sat
	{Date: "2023-01-22", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                      // Sun
	{Date: "2023-01-23", Name: "설날 다음날", NameEN: "Day after Seollal"},                                               // Mon
	{Date: "2023-01-24", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true},               // Tue
	{Date: "2023-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                          // Wed
	{Date: "2023-05-05", Name: "어린이날", NameEN: "Children's Day"},                                                    // Fri
	{Date: "2023-05-27", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                               // Sat
	{Date: "2023-05-29", Name: "대체공휴일(부처님오신날)", NameEN: "Substitute holiday (Buddha's Birthday)", Substitute: true}, // Mon
	{Date: "2023-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                       // Tue
	{Date: "2023-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                     // Tue
	{Date: "2023-09-28", Name: "추석 전날", NameEN: "Day before Chuseok"},                                               // Thu
	{Date: "2023-09-29", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                       // Fri
	{Date: "2023-09-30", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                               // Sat
	{Date: "2023-10-02", Name: "임시공휴일", NameEN: "Temporary holiday"},                                                // Mon
	{Date: "2023-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                            // Tue
	{Date: "2023-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                        // Mon
	{Date: "2023-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                      // Mon

	// 2024
	{Date: "2024-01-01", Name: "신정", NameEN: "New Year's Day"},                                                 // Mon
	{Date: "2024-02-09", Name: "설날 전날", NameEN: "Day before Seollal"},                                          // Fri
	{Date: "2024-02-10", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                 // Sat
	{Date: "2024-02-11", Name: "설날 다음날", NameEN: "Day after Seollal"},                                          // Sun
	{Date: "2024-02-12", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true},          // Mon
	{Date: "2024-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                     // Fri
	{Date: "2024-04-10", Name: "제22대 국회의원선거일", NameEN: "22nd National Assembly election"},                      // Wed
	{Date: "2024-05-05", Name: "어린이날", NameEN: "Children's Day"},                                               // Sun
	{Date: "2024-05-06", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true}, // Mon
	{Date: "2024-05-15", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                          // Wed
	{Date: "2024-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                  // Thu
	{Date: "2024-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                // Thu
	{Date: "2024-09-16", Name: "추석 전날", NameEN: "Day before Chuseok"},                                          // Mon
	{Date: "2024-09-17", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                  // Tue
	{Date: "2024-09-18", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                          // Wed
	{Date: "2024-10-01", Name: "임시공휴일(국군의 날)", NameEN: "Temporary holiday (Armed Forces Day)"},                 // Tue
	{Date: "2024-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                       // Thu
	{Date: "2024-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                   // Wed
	{Date: "2024-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                 // Wed

	// 2025
	{Date: "2025-01-01", Name: "신정", NameEN: "New Year's Day"},                                                           // Wed
	{Date: "2025-01-27", Name: "임시공휴일", NameEN: "Temporary holiday"},                                                     // Mon
	{Date: "2025-01-28", Name: "설날 전날", NameEN: "Day before Seollal"},                                                    // Tue
	{Date: "2025-01-29", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                           // Wed
	{Date: "2025-01-30", Name: "설날 다음날", NameEN: "Day after Seollal"},                                                    // Thu
	{Date: "2025-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                               // Sat
	{Date: "2025-03-03", Name: "대체공휴일(삼일절)", NameEN: "Substitute holiday (Independence Movement Day)", Substitute: true}, // Mon
	{Date: "2025-05-05", Name: "어린이날, 부처님오신날", NameEN: "Children's Day; Buddha's Birthday"},                              // Mon
	{Date: "2025-05-06", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true},           // Tue
	{Date: "2025-06-03", Name: "제21대 대통령선거일", NameEN: "21st presidential election"},                                      // Tue
	{Date: "2025-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                            // Fri
	{Date: "2025-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                          // Fri
	{Date: "2025-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                                 // Fri
	{Date: "2025-10-05", Name: "추석 전날", NameEN: "Day before Chuseok"},                                                    // Sun
	{Date: "2025-10-06", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                            // Mon
	{Date: "2025-10-07", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                                    // Tue
	{Date: "2025-10-08", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},                    // Wed
	{Date: "2025-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                             // Thu
	{Date: "2025-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                           // Thu

	// 2026
	{Date: "2026-01-01", Name: "신정", NameEN: "New Year's Day"},                                                           // Thu
	{Date: "2026-02-16", Name: "설날 전날", NameEN: "Day before Seollal"},                                                    // Mon
	{Date: "2026-02-17", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                           // Tue
	{Date: "2026-02-18", Name: "설날 다음날", NameEN: "Day after Seollal"},                                                    // Wed
	{Date: "2026-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                               // Sun
	{Date: "2026-03-02", Name: "대체공휴일(삼일절)", NameEN: "Substitute holiday (Independence Movement Day)", Substitute: true}, // Mon
	{Date: "2026-05-05", Name: "어린이날", NameEN: "Children's Day"},                                                         // Tue
	{Date: "2026-05-24", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                                    // Sun
	{Date: "2026-05-25", Name: "대체공휴일(부처님오신날)", NameEN: "Substitute holiday (Buddha's Birthday)", Substitute: true},      // Mon
	{Date: "2026-06-03", Name: "제9회 전국동시지방선거일", NameEN: "9th local elections"},                                           // Wed
	{Date: "2026-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                            // Sat
	{Date: "2026-07-17", Name: "제헌절", NameEN: "Constitution Day"},                                                        // Fri
	{Date: "2026-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                          // Sat
	{Date: "2026-08-17", Name: "대체공휴일(광복절)", NameEN: "Substitute holiday (Liberation Day)", Substitute: true},            // Mon
	{Date: "2026-09-24", Name: "추석 전날", NameEN: "Day before Chuseok"},                                                    // Thu
	{Date: "2026-09-25", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                            // Fri
	{Date: "2026-09-26", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                                    // Sat
	{Date: "2026-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                                 // Sat
	{Date: "2026-10-05", Name: "대체공휴일(개천절)", NameEN: "Substitute holiday (National Foundation Day)", Substitute: true},   // Mon
	{Date: "2026-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                             // Fri
	{Date: "2026-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                           // Fri

	// 2027
	{Date: "2027-01-01", Name: "신정", NameEN: "New Year's Day"},                                                         // Fri
	{Date: "2027-02-06", Name: "설날 전날", NameEN: "Day before Seollal"},                                                  // Sat
	{Date: "2027-02-07", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                         // Sun
	{Date: "2027-02-08", Name: "설날 다음날", NameEN: "Day after Seollal"},                                                  // Mon
	{Date: "2027-02-09", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true},                  // Tue
	{Date: "2027-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                             // Mon
	{Date: "2027-05-05", Name: "어린이날", NameEN: "Children's Day"},                                                       // Wed
	{Date: "2027-05-13", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                                  // Thu
	{Date: "2027-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                          // Sun
	{Date: "2027-07-17", Name: "제헌절", NameEN: "Constitution Day"},                                                      // Sat
	{Date: "2027-07-19", Name: "대체공휴일(제헌절)", NameEN: "Substitute holiday (Constitution Day)", Substitute: true},        // Mon
	{Date: "2027-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                        // Sun
	{Date: "2027-08-16", Name: "대체공휴일(광복절)", NameEN: "Substitute holiday (Liberation Day)", Substitute: true},          // Mon
	{Date: "2027-09-14", Name: "추석 전날", NameEN: "Day before Chuseok"},                                                  // Tue
	{Date: "2027-09-15", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                          // Wed
	{Date: "2027-09-16", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                                  // Thu
	{Date: "2027-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                               // Sun
	{Date: "2027-10-04", Name: "대체공휴일(개천절)", NameEN: "Substitute holiday (National Foundation Day)", Substitute: true}, // Mon
	{Date: "2027-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                           // Sat
	{Date: "2027-10-11", Name: "대체공휴일(한글날)", NameEN: "Substitute holiday (Hangeul Day)", Substitute: true},             // Mon
	{Date: "2027-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                         // Sat
	{Date: "2027-12-27", Name: "대체공휴일(성탄절)", NameEN: "Substitute holiday (Christmas Day)", Substitute: true},           // Mon

	// 2028
	{Date: "2028-01-01", Name: "신정", NameEN: "New Year's Day"},                                              // Sat
	{Date: "2028-01-26", Name: "설날 전날", NameEN: "Day before Seollal"},                                       // Wed
	{Date: "2028-01-27", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                              // Thu
	{Date: "2028-01-28", Name: "설날 다음날", NameEN: "Day after Seollal"},                                       // Fri
	{Date: "2028-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                  // Wed
	{Date: "2028-04-12", Name: "제23대 국회의원선거일", NameEN: "23rd National Assembly election"},                   // Wed
	{Date: "2028-05-02", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                       // Tue
	{Date: "2028-05-05", Name: "어린이날", NameEN: "Children's Day"},                                            // Fri
	{Date: "2028-06-06", Name: "현충일", NameEN: "Memorial Day"},                                               // Tue
	{Date: "2028-07-17", Name: "제헌절", NameEN: "Constitution Day"},                                           // Mon
	{Date: "2028-08-15", Name: "광복절", NameEN: "Liberation Day"},                                             // Tue
	{Date: "2028-10-02", Name: "추석 전날", NameEN: "Day before Chuseok"},                                       // Mon
	{Date: "2028-10-03", Name: "추석, 개천절", NameEN: "Chuseok (Korean Thanksgiving); National Foundation Day"}, // Tue
	{Date: "2028-10-04", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                       // Wed
	{Date: "2028-10-05", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},       // Thu
	{Date: "2028-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                // Mon
	{Date: "2028-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                              // Mon

	// 2029
	{Date: "2029-01-01", Name: "신정", NameEN: "New Year's Day"},                                                      // Mon
	{Date: "2029-02-12", Name: "설날 전날", NameEN: "Day before Seollal"},                                               // Mon
	{Date: "2029-02-13", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                      // Tue
	{Date: "2029-02-14", Name: "설날 다음날", NameEN: "Day after Seollal"},                                               // Wed
	{Date: "2029-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                          // Thu
	{Date: "2029-05-05", Name: "어린이날", NameEN: "Children's Day"},                                                    // Sat
	{Date: "2029-05-07", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true},      // Mon
	{Date: "2029-05-20", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                               // Sun
	{Date: "2029-05-21", Name: "대체공휴일(부처님오신날)", NameEN: "Substitute holiday (Buddha's Birthday)", Substitute: true}, // Mon
	{Date: "2029-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                       // Wed
	{Date: "2029-07-17", Name: "제헌절", NameEN: "Constitution Day"},                                                   // Tue
	{Date: "2029-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                     // Wed
	{Date: "2029-09-21", Name: "추석 전날", NameEN: "Day before Chuseok"},                                               // Fri
	{Date: "2029-09-22", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                       // Sat
	{Date: "2029-09-23", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                               // Sun
	{Date: "2029-09-24", Name: "대체공휴일(추석)", NameEN: "Substitute holiday (Chuseok)", Substitute: true},               // Mon
	{Date: "2029-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                            // Wed
	{Date: "2029-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                        // Tue
	{Date: "2029-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                      // Tue

	// 2030
	{Date: "2030-01-01", Name: "신정", NameEN: "New Year's Day"},                                                 // Tue
	{Date: "2030-02-02", Name: "설날 전날", NameEN: "Day before Seollal"},                                          // Sat
	{Date: "2030-02-03", Name: "설날", NameEN: "Seollal (Lunar New Year's Day)"},                                 // Sun
	{Date: "2030-02-04", Name: "설날 다음날", NameEN: "Day after Seollal"},                                          // Mon
	{Date: "2030-02-05", Name: "대체공휴일(설날)", NameEN: "Substitute holiday (Seollal)", Substitute: true},          // Tue
	{Date: "2030-03-01", Name: "삼일절", NameEN: "Independence Movement Day"},                                     // Fri
	{Date: "2030-03-27", Name: "제22대 대통령선거일", NameEN: "22nd presidential election"},                            // Wed
	{Date: "2030-05-05", Name: "어린이날", NameEN: "Children's Day"},                                               // Sun
	{Date: "2030-05-06", Name: "대체공휴일(어린이날)", NameEN: "Substitute holiday (Children's Day)", Substitute: true}, // Mon
	{Date: "2030-05-09", Name: "부처님오신날", NameEN: "Buddha's Birthday"},                                          // Thu
	{Date: "2030-06-06", Name: "현충일", NameEN: "Memorial Day"},                                                  // Thu
	{Date: "2030-06-12", Name: "제10회 전국동시지방선거일", NameEN: "10th local elections"},                               // Wed
	{Date: "2030-07-17", Name: "제헌절", NameEN: "Constitution Day"},                                              // Wed
	{Date: "2030-08-15", Name: "광복절", NameEN: "Liberation Day"},                                                // Thu
	{Date: "2030-09-11", Name: "추석 전날", NameEN: "Day before Chuseok"},                                          // Wed
	{Date: "2030-09-12", Name: "추석", NameEN: "Chuseok (Korean Thanksgiving)"},                                  // Thu
	{Date: "2030-09-13", Name: "추석 다음날", NameEN: "Day after Chuseok"},                                          // Fri
	{Date: "2030-10-03", Name: "개천절", NameEN: "National Foundation Day"},                                       // Thu
	{Date: "2030-10-09", Name: "한글날", NameEN: "Hangeul Day"},                                                   // Wed
	{Date: "2030-12-25", Name: "성탄절", NameEN: "Christmas Day"},                                                 // Wed
}
