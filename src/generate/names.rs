//! Given names, surnames and the nickname table.
//!
//! The nickname table is one list of (formal, nickname) pairs read both ways, so "Bob" finds
//! "Robert" and "Robert" finds "Bob" from the same entry and the two directions cannot drift.

/// (formal name, nickname) pairs. A nickname may belong to several formal names (Pat, Chris,
/// Sam, Alex), which is exactly why a reviewer needs more than the name.
pub const NICKNAMES: &[(&str, &str)] = &[
    ("Robert", "Bob"),
    ("Robert", "Rob"),
    ("Robert", "Bobby"),
    ("William", "Bill"),
    ("William", "Will"),
    ("William", "Billy"),
    ("Richard", "Rick"),
    ("Richard", "Dick"),
    ("James", "Jim"),
    ("James", "Jimmy"),
    ("John", "Jack"),
    ("John", "Johnny"),
    ("Michael", "Mike"),
    ("Thomas", "Tom"),
    ("Joseph", "Joe"),
    ("Charles", "Charlie"),
    ("Charles", "Chuck"),
    ("Christopher", "Chris"),
    ("Daniel", "Dan"),
    ("Matthew", "Matt"),
    ("Anthony", "Tony"),
    ("Edward", "Ed"),
    ("Edward", "Ted"),
    ("Steven", "Steve"),
    ("Andrew", "Andy"),
    ("Joshua", "Josh"),
    ("Kenneth", "Ken"),
    ("Benjamin", "Ben"),
    ("Samuel", "Sam"),
    ("Alexander", "Alex"),
    ("Patrick", "Pat"),
    ("Timothy", "Tim"),
    ("Jonathan", "Jon"),
    ("Nicholas", "Nick"),
    ("Gregory", "Greg"),
    ("Raymond", "Ray"),
    ("Lawrence", "Larry"),
    ("Gerald", "Jerry"),
    ("Donald", "Don"),
    ("Ronald", "Ron"),
    ("Elizabeth", "Liz"),
    ("Elizabeth", "Beth"),
    ("Elizabeth", "Betty"),
    ("Margaret", "Peggy"),
    ("Margaret", "Maggie"),
    ("Katherine", "Kate"),
    ("Katherine", "Kathy"),
    ("Jennifer", "Jen"),
    ("Patricia", "Pat"),
    ("Patricia", "Patty"),
    ("Susan", "Sue"),
    ("Deborah", "Debbie"),
    ("Rebecca", "Becky"),
    ("Jessica", "Jess"),
    ("Victoria", "Vicky"),
    ("Christine", "Chris"),
    ("Kimberly", "Kim"),
    ("Barbara", "Barb"),
    ("Abigail", "Abby"),
    ("Samantha", "Sam"),
    ("Alexandra", "Alex"),
    ("Theresa", "Terri"),
    ("Cynthia", "Cindy"),
    ("Pamela", "Pam"),
    ("Jacqueline", "Jackie"),
    ("Stephanie", "Steph"),
    ("Judith", "Judy"),
    ("Virginia", "Ginny"),
];

/// Formal given names that have at least one nickname in [`NICKNAMES`].
pub const FORMAL_GIVEN_NAMES: &[&str] = &[
    "Robert",
    "William",
    "Richard",
    "James",
    "John",
    "Michael",
    "Thomas",
    "Joseph",
    "Charles",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Edward",
    "Steven",
    "Andrew",
    "Joshua",
    "Kenneth",
    "Benjamin",
    "Samuel",
    "Alexander",
    "Patrick",
    "Timothy",
    "Jonathan",
    "Nicholas",
    "Gregory",
    "Raymond",
    "Lawrence",
    "Gerald",
    "Donald",
    "Ronald",
    "Elizabeth",
    "Margaret",
    "Katherine",
    "Jennifer",
    "Patricia",
    "Susan",
    "Deborah",
    "Rebecca",
    "Jessica",
    "Victoria",
    "Christine",
    "Kimberly",
    "Barbara",
    "Abigail",
    "Samantha",
    "Alexandra",
    "Theresa",
    "Cynthia",
    "Pamela",
    "Jacqueline",
    "Stephanie",
    "Judith",
    "Virginia",
];

/// Given names without a common nickname in the table.
pub const PLAIN_GIVEN_NAMES: &[&str] = &[
    "Maria",
    "Jose",
    "Carlos",
    "Juan",
    "Luis",
    "Ana",
    "Sofia",
    "Aisha",
    "Mohammed",
    "Wei",
    "Mei",
    "Priya",
    "Rajesh",
    "Olivia",
    "Emma",
    "Ava",
    "Mia",
    "Noah",
    "Liam",
    "Ethan",
    "Mason",
    "Logan",
    "Hannah",
    "Grace",
    "Chloe",
    "Zoe",
    "Keisha",
    "Tyrone",
    "DeShawn",
    "Brianna",
    "Linh",
    "Minh",
    "Fatima",
    "Omar",
    "Yusuf",
    "Ingrid",
    "Lars",
    "Marisol",
    "Guadalupe",
    "Esperanza",
    "Tamika",
    "Darnell",
    "Paul",
    "Mark",
    "Brian",
    "Kevin",
    "Jason",
    "Eric",
    "Laura",
    "Karen",
    "Nancy",
    "Lisa",
    "Sarah",
    "Amy",
    "Angela",
    "Helen",
    "Ruth",
    "Diane",
    "Joyce",
    "Gloria",
];

/// Common US surnames.
pub const SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Washington",
    "Okafor",
    "Kowalski",
    "Schneider",
    "Yamamoto",
];

/// The nicknames of a formal given name (exact spelling), in table order.
pub fn nicknames_of(formal: &str) -> impl Iterator<Item = &'static str> + '_ {
    NICKNAMES
        .iter()
        .filter(move |(f, _)| *f == formal)
        .map(|(_, n)| *n)
}

/// The formal given names a nickname can stand for, in table order.
pub fn formal_names_of(nickname: &str) -> impl Iterator<Item = &'static str> + '_ {
    NICKNAMES
        .iter()
        .filter(move |(_, n)| *n == nickname)
        .map(|(f, _)| *f)
}

/// Whether one name is a nickname of the other, in either direction (case-insensitive).
pub fn is_nickname_pair(a: &str, b: &str) -> bool {
    NICKNAMES.iter().any(|(f, n)| {
        (f.eq_ignore_ascii_case(a) && n.eq_ignore_ascii_case(b))
            || (f.eq_ignore_ascii_case(b) && n.eq_ignore_ascii_case(a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nickname_table_reads_both_ways() {
        assert!(nicknames_of("Robert").any(|n| n == "Bob"));
        assert_eq!(formal_names_of("Bob").collect::<Vec<_>>(), vec!["Robert"]);
        assert!(is_nickname_pair("Bob", "Robert"));
        assert!(is_nickname_pair("robert", "BOB"));
        assert!(!is_nickname_pair("Bob", "William"));
        assert!(!is_nickname_pair("Robert", "Robert"));
    }

    #[test]
    fn ambiguous_nicknames_find_every_formal_name() {
        let pats: Vec<_> = formal_names_of("Pat").collect();
        assert_eq!(pats, vec!["Patrick", "Patricia"]);
        let sams: Vec<_> = formal_names_of("Sam").collect();
        assert_eq!(sams, vec!["Samuel", "Samantha"]);
    }

    #[test]
    fn every_formal_name_has_a_nickname_and_every_pair_is_listed_as_formal() {
        for formal in FORMAL_GIVEN_NAMES {
            assert!(nicknames_of(formal).next().is_some(), "{formal}");
        }
        for (formal, _) in NICKNAMES {
            assert!(FORMAL_GIVEN_NAMES.contains(formal), "{formal}");
        }
        for plain in PLAIN_GIVEN_NAMES {
            assert!(
                !NICKNAMES.iter().any(|(f, n)| f == plain || n == plain),
                "{plain}"
            );
        }
    }
}
