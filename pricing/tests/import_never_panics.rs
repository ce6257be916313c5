//! No input panics the importer: arbitrary bytes, and the real samples cut or corrupted at any
//! point, give either prices or an error (and leave the catalog as it was on error).

use pricing::Catalog;
use pricing::import::import_reader;
use proptest::prelude::*;

const SAMPLES: [&str; 3] = [
    include_str!("data/price-list-sample.json"),
    include_str!("data/price-list-getproducts-sample.json"),
    include_str!("data/ec2-offer-sample.csv"),
];

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut catalog = Catalog::new("out");
        let _ = import_reader(bytes.as_slice(), "fuzz", &mut catalog);
    }

    #[test]
    fn cut_or_corrupted_samples_never_panic(
        sample in 0..SAMPLES.len(),
        cut in 0.0..1.0f64,
        flip in proptest::option::of((0.0..1.0f64, any::<u8>())),
    ) {
        let mut bytes = SAMPLES[sample].as_bytes().to_vec();
        bytes.truncate((cut * bytes.len() as f64) as usize);
        if let Some((at, byte)) = flip {
            if !bytes.is_empty() {
                let i = ((at * bytes.len() as f64) as usize).min(bytes.len() - 1);
                bytes[i] = byte;
            }
        }
        let mut catalog = Catalog::new("out");
        if import_reader(bytes.as_slice(), "fuzz", &mut catalog).is_err() {
            prop_assert!(catalog.is_empty(), "a failed import must leave the catalog as it was");
        }
    }
}
