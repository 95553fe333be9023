//! US places for synthetic addresses: real cities with their state and one real ZIP code each,
//! street names, and the set of valid state codes.
//!
//! ZIPs are real so that a generated address looks like one a reviewer would see, and so that a
//! ZIP/state mismatch is a deliberate, checkable defect rather than an accident of random digits.

/// A city with its state and one real ZIP code in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct City {
    pub name: &'static str,
    /// USPS two-letter code.
    pub state: &'static str,
    pub zip: &'static str,
}

const fn city(name: &'static str, state: &'static str, zip: &'static str) -> City {
    City { name, state, zip }
}

/// Cities spread over all fifty states and DC, each with a ZIP that really belongs to it.
pub const CITIES: &[City] = &[
    city("New York", "NY", "10001"),
    city("Brooklyn", "NY", "11201"),
    city("Buffalo", "NY", "14202"),
    city("Los Angeles", "CA", "90012"),
    city("San Francisco", "CA", "94103"),
    city("San Diego", "CA", "92101"),
    city("Sacramento", "CA", "95814"),
    city("Fresno", "CA", "93721"),
    city("Chicago", "IL", "60601"),
    city("Springfield", "IL", "62701"),
    city("Houston", "TX", "77002"),
    city("Dallas", "TX", "75201"),
    city("Austin", "TX", "78701"),
    city("San Antonio", "TX", "78205"),
    city("El Paso", "TX", "79901"),
    city("Phoenix", "AZ", "85004"),
    city("Tucson", "AZ", "85701"),
    city("Philadelphia", "PA", "19103"),
    city("Pittsburgh", "PA", "15222"),
    city("Columbus", "OH", "43215"),
    city("Cleveland", "OH", "44114"),
    city("Cincinnati", "OH", "45202"),
    city("Detroit", "MI", "48226"),
    city("Grand Rapids", "MI", "49503"),
    city("Indianapolis", "IN", "46204"),
    city("Jacksonville", "FL", "32202"),
    city("Miami", "FL", "33130"),
    city("Tampa", "FL", "33602"),
    city("Orlando", "FL", "32801"),
    city("Atlanta", "GA", "30303"),
    city("Savannah", "GA", "31401"),
    city("Charlotte", "NC", "28202"),
    city("Raleigh", "NC", "27601"),
    city("Nashville", "TN", "37203"),
    city("Memphis", "TN", "38103"),
    city("Louisville", "KY", "40202"),
    city("Birmingham", "AL", "35203"),
    city("Jackson", "MS", "39201"),
    city("New Orleans", "LA", "70112"),
    city("Little Rock", "AR", "72201"),
    city("Oklahoma City", "OK", "73102"),
    city("Tulsa", "OK", "74103"),
    city("Kansas City", "MO", "64106"),
    city("St. Louis", "MO", "63101"),
    city("Wichita", "KS", "67202"),
    city("Omaha", "NE", "68102"),
    city("Des Moines", "IA", "50309"),
    city("Minneapolis", "MN", "55401"),
    city("Milwaukee", "WI", "53202"),
    city("Denver", "CO", "80202"),
    city("Albuquerque", "NM", "87102"),
    city("Salt Lake City", "UT", "84101"),
    city("Las Vegas", "NV", "89101"),
    city("Boise", "ID", "83702"),
    city("Seattle", "WA", "98101"),
    city("Spokane", "WA", "99201"),
    city("Portland", "OR", "97204"),
    city("Anchorage", "AK", "99501"),
    city("Honolulu", "HI", "96813"),
    city("Boston", "MA", "02108"),
    city("Providence", "RI", "02903"),
    city("Hartford", "CT", "06103"),
    city("Newark", "NJ", "07102"),
    city("Baltimore", "MD", "21202"),
    city("Washington", "DC", "20001"),
    city("Richmond", "VA", "23219"),
    city("Charleston", "WV", "25301"),
    city("Columbia", "SC", "29201"),
    city("Burlington", "VT", "05401"),
    city("Portland", "ME", "04101"),
    city("Manchester", "NH", "03101"),
    city("Wilmington", "DE", "19801"),
    city("Fargo", "ND", "58102"),
    city("Sioux Falls", "SD", "57104"),
    city("Billings", "MT", "59101"),
    city("Cheyenne", "WY", "82001"),
];

/// USPS codes of the fifty states and DC: what a "valid state" means for a release.
pub const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
];

/// Codes clerks mistype for real ones (NB for NE, TE for TX...): none is a USPS state code.
pub const INVALID_STATES: &[&str] = &["NB", "TE", "CF", "XX", "MC", "IO"];

/// Street names with their suffix, as they would appear on an envelope.
pub const STREETS: &[&str] = &[
    "Main St",
    "Oak St",
    "Maple Ave",
    "Pine St",
    "Cedar Ln",
    "Elm St",
    "Washington Ave",
    "Lake Dr",
    "Hill Rd",
    "Park Ave",
    "Sunset Blvd",
    "Lincoln Ave",
    "Jefferson St",
    "Church St",
    "River Rd",
    "Highland Ave",
    "Franklin St",
    "Center St",
    "Walnut St",
    "Chestnut St",
    "Spring St",
    "Jackson St",
    "Madison Ave",
    "Willow Way",
    "Meadow Ln",
    "Forest Dr",
    "Cherry St",
    "Ridge Rd",
    "Valley View Dr",
    "Broadway",
    "Market St",
    "Mill Rd",
    "Birch Ct",
    "Dogwood Dr",
    "Magnolia Blvd",
    "Martin Luther King Jr Blvd",
    "Cesar Chavez Ave",
    "Grand Ave",
    "Prospect St",
    "Union St",
    "Front St",
    "Water St",
    "High St",
    "Elmwood Ave",
    "Sycamore Ln",
    "Hickory Dr",
    "Aspen Ct",
    "Juniper Way",
    "Greenwood Ave",
    "Fairview Ave",
    "Kingsley Pl",
    "Orchard Rd",
    "Belmont Ave",
    "Vine St",
    "Laurel St",
    "Harbor Dr",
    "Canal St",
    "Railroad Ave",
    "College Ave",
    "Summit Ave",
];

/// Whether `state` is a USPS code of a state or DC.
pub fn is_valid_state(state: &str) -> bool {
    STATES.contains(&state)
}

/// The state a table ZIP belongs to, if the ZIP is one of the table's.
pub fn state_of_zip(zip: &str) -> Option<&'static str> {
    CITIES.iter().find(|c| c.zip == zip).map(|c| c.state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_city_is_in_a_valid_state_with_a_five_digit_zip() {
        for c in CITIES {
            assert!(is_valid_state(c.state), "{c:?}");
            assert_eq!(c.zip.len(), 5, "{c:?}");
            assert!(c.zip.bytes().all(|b| b.is_ascii_digit()), "{c:?}");
        }
    }

    #[test]
    fn cities_cover_every_state_and_zips_are_unique() {
        let states: BTreeSet<&str> = CITIES.iter().map(|c| c.state).collect();
        assert_eq!(states.len(), STATES.len());
        let zips: BTreeSet<&str> = CITIES.iter().map(|c| c.zip).collect();
        assert_eq!(zips.len(), CITIES.len());
    }

    #[test]
    fn invalid_states_are_not_states() {
        for s in INVALID_STATES {
            assert!(!is_valid_state(s), "{s}");
        }
        assert_eq!(state_of_zip("10001"), Some("NY"));
        assert_eq!(state_of_zip("99999"), None);
    }
}
