//! The two JSON shapes, streamed: bulk offer files and GetProducts responses.
//!
//! One visitor walks the top-level object. `products` and `terms.OnDemand` of a bulk file are
//! walked entry by entry; every other key (`attributesList`, `terms.Reserved`…) and every
//! product or term drsim does not price is skipped with `IgnoredAny`, so memory holds only the
//! products that map to a catalog key. AWS writes `products` before `terms`; should a file
//! put `terms` first, the on-demand terms of every SKU are held until the products arrive
//! (memory then grows with the number of SKUs, still not with the file's size).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

use crate::catalog::PriceError;

use super::product::{ATTR_COUNT, Attr, Classified, Product};
use super::{Dim, Importer, Mapping, Origin, Problem, describe_offer, not_a_price_list};

/// The custom error that stops the stream once a [`Problem`] is recorded.
const STOP: &str = "drsim stopped reading here";

pub(super) fn import<R: Read>(input: R, importer: &mut Importer<'_>) -> Result<(), PriceError> {
    let file = importer.file;
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut state = Json {
        imp: importer,
        problem: None,
        publication_date: String::new(),
        candidates: HashMap::new(),
        pending: HashMap::new(),
        products_done: false,
        recognized: false,
        saw_price_list: false,
    };
    let result = Top(&mut state).deserialize(&mut de).and_then(|()| de.end());
    if let Err(e) = result {
        return Err(match state.problem.take() {
            Some(p) => PriceError::BadLine {
                file: file.to_string(),
                line: e.line() as u64,
                message: p.message,
                help: p.help,
            },
            None => json_error(file, &e),
        });
    }
    state.finish()
}

fn json_error(file: &str, e: &serde_json::Error) -> PriceError {
    let (message, help) = match e.classify() {
        Category::Io => {
            return PriceError::BadFile {
                file: file.to_string(),
                message: format!("cannot read the file: {e}"),
            };
        }
        Category::Eof => (
            format!("the file ends in the middle of the JSON, it is truncated ({e})"),
            "download the file again and check the download completed (bulk offer files are large)",
        ),
        Category::Syntax => (
            format!("invalid JSON: {e}"),
            "an AWS Price List file is valid JSON; was it edited or cut?",
        ),
        Category::Data => (
            format!("unexpected JSON: {e}"),
            "a bulk offer file has products.<SKU>.attributes and terms.OnDemand.<SKU>.<SKU>.<offerTermCode>.priceDimensions; a GetProducts response has PriceList",
        ),
    };
    PriceError::BadLine {
        file: file.to_string(),
        line: e.line() as u64,
        message,
        help: help.to_string(),
    }
}

struct Candidate {
    mapping: Mapping,
    priced: bool,
}

struct Json<'i, 'f> {
    imp: &'i mut Importer<'f>,
    /// The first problem found; the stream is then stopped with [`STOP`].
    problem: Option<Problem>,
    publication_date: String,
    /// Bulk: SKUs of the products that map to a catalog key.
    candidates: HashMap<String, Candidate>,
    /// Bulk, terms before products: every on-demand term, by SKU.
    pending: HashMap<String, Vec<RawTerm>>,
    products_done: bool,
    recognized: bool,
    saw_price_list: bool,
}

impl Json<'_, '_> {
    fn stop<E: de::Error>(&mut self, problem: Problem) -> E {
        self.problem = Some(problem);
        E::custom(STOP)
    }

    /// A bulk-file product.
    fn on_product(&mut self, raw: RawProduct) -> Result<(), Problem> {
        self.imp.products_seen += 1;
        let classified = raw.view(&self.imp.offer_code).classify();
        match classified {
            Classified::Ignore => Ok(()),
            Classified::Skip(reason) => {
                self.imp.skip(reason);
                Ok(())
            }
            Classified::Keep(mapping) => {
                let mut priced = false;
                if let Some(terms) = self.pending.remove(&raw.sku) {
                    priced = self.price(&raw.sku, &mapping, terms.iter(), None)?;
                }
                self.candidates
                    .insert(raw.sku, Candidate { mapping, priced });
                Ok(())
            }
        }
    }

    /// The on-demand terms of one SKU of a bulk file.
    fn on_terms(&mut self, sku: String, terms: BTreeMap<String, RawTerm>) -> Result<(), Problem> {
        if let Some(candidate) = self.candidates.get(&sku) {
            let mapping = candidate.mapping.clone();
            let priced = self.price(&sku, &mapping, terms.values(), None)?;
            if let Some(candidate) = self.candidates.get_mut(&sku) {
                candidate.priced |= priced;
            }
        } else if !self.products_done {
            self.pending.insert(sku, terms.into_values().collect());
        }
        Ok(())
    }

    /// One element of a GetProducts `PriceList`.
    fn on_item(&mut self, item: GpItem) -> Result<(), Problem> {
        self.imp.products_seen += 1;
        let classified = item.product.view(&item.service_code).classify();
        match classified {
            Classified::Ignore => {}
            Classified::Skip(reason) => self.imp.skip(reason),
            Classified::Keep(mapping) => {
                let offer = describe_offer(
                    &item.service_code,
                    item.publication_date.as_deref().unwrap_or(""),
                    "offer (GetProducts)",
                );
                let sku = &item.product.sku;
                if !self.price(sku, &mapping, item.terms.on_demand.values(), Some(offer))? {
                    self.imp.skip(no_term(sku, &mapping));
                }
            }
        }
        Ok(())
    }

    /// Adds the prices of on-demand terms; whether any price was added.
    fn price<'t>(
        &mut self,
        sku: &str,
        mapping: &Mapping,
        terms: impl Iterator<Item = &'t RawTerm>,
        offer: Option<String>,
    ) -> Result<bool, Problem> {
        let mut used = false;
        for term in terms {
            if let Some(lease) = term.lease() {
                self.imp.skip(format!(
                    "SKU {sku}: a reserved term ({lease}) under terms.OnDemand, ignored"
                ));
                continue;
            }
            let origin = Origin {
                sku,
                effective: &term.effective_date,
                offer: offer.clone(),
            };
            for dim in term.dims.values() {
                let usd = dim.price.get("USD").map(String::as_str).ok_or_else(|| {
                    dim.price
                        .keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let dim = Dim {
                    begin: dim.begin.as_deref(),
                    unit: dim.unit.as_deref().unwrap_or(""),
                    usd,
                };
                self.imp.add_dim(mapping, &origin, &dim)?;
                used = true;
            }
        }
        Ok(used)
    }

    fn finish(self) -> Result<(), PriceError> {
        let bulk = !self.saw_price_list;
        if !self.recognized && !self.saw_price_list {
            return Err(not_a_price_list(
                self.imp.file,
                "a JSON object without `products`, `terms` or `PriceList`".to_string(),
            ));
        }
        let mut unpriced: Vec<(&String, &Candidate)> =
            self.candidates.iter().filter(|(_, c)| !c.priced).collect();
        unpriced.sort_by(|a, b| a.0.cmp(b.0));
        let notes: Vec<String> = unpriced
            .into_iter()
            .map(|(sku, c)| no_term(sku, &c.mapping))
            .collect();
        for note in notes {
            self.imp.skip(note);
        }
        if bulk {
            let code = self.imp.offer_code.clone();
            self.imp.offer = Some(describe_offer(&code, &self.publication_date, "offer"));
        }
        Ok(())
    }
}

fn no_term(sku: &str, mapping: &Mapping) -> String {
    match mapping.keys.first() {
        Some(key) => format!("SKU {sku} ({key}): no on-demand term in the file"),
        None => format!("SKU {sku}: no on-demand term in the file"),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw shapes (only the fields drsim reads; serde skips the rest)

#[derive(Default, Deserialize)]
struct RawProduct {
    #[serde(default)]
    sku: String,
    #[serde(rename = "productFamily", default)]
    family: String,
    #[serde(default)]
    attributes: Attrs,
}

impl RawProduct {
    /// `offer`: the service when the product has no `servicecode` attribute.
    fn view<'a>(&'a self, offer: &'a str) -> Product<'a> {
        let attrs: [&str; ATTR_COUNT] = std::array::from_fn(|i| self.attributes.0[i].as_str());
        let service = Some(attrs[Attr::ServiceCode as usize])
            .filter(|s| !s.is_empty())
            .unwrap_or(offer);
        Product {
            sku: &self.sku,
            family: &self.family,
            service,
            attrs,
        }
    }
}

/// The attributes drsim reads, by [`Attr`]; "" when absent.
#[derive(Default)]
struct Attrs([String; ATTR_COUNT]);

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attrs, D::Error> {
        struct AttrsVisitor;
        impl<'de> Visitor<'de> for AttrsVisitor {
            type Value = Attrs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of product attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attrs, A::Error> {
                let mut attrs = Attrs::default();
                while let Some(attr) = map.next_key_seed(Name(Attr::from_json))? {
                    match attr {
                        Some(attr) => attrs.0[attr as usize] = map.next_value()?,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(attrs)
            }
        }
        deserializer.deserialize_map(AttrsVisitor)
    }
}

#[derive(Deserialize)]
struct RawTerm {
    #[serde(rename = "effectiveDate", default)]
    effective_date: String,
    #[serde(rename = "priceDimensions", default)]
    dims: BTreeMap<String, RawDim>,
    #[serde(rename = "termAttributes", default)]
    term_attributes: BTreeMap<String, String>,
}

impl RawTerm {
    /// A reserved term's lease ("3yr convertible"), should one sit under `OnDemand`.
    fn lease(&self) -> Option<String> {
        let get = |k: &str| {
            self.term_attributes
                .get(k)
                .map(String::as_str)
                .unwrap_or("")
        };
        let lease = get("LeaseContractLength");
        let purchase = get("PurchaseOption");
        (!lease.is_empty() || !purchase.is_empty()).then(|| {
            format!("{lease} {}", get("OfferingClass"))
                .trim()
                .to_string()
        })
    }
}

#[derive(Deserialize)]
struct RawDim {
    #[serde(rename = "beginRange", default)]
    begin: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(rename = "pricePerUnit", default)]
    price: BTreeMap<String, String>,
}

/// One decoded GetProducts element.
#[derive(Deserialize)]
struct GpItem {
    #[serde(default)]
    product: RawProduct,
    #[serde(rename = "serviceCode", default)]
    service_code: String,
    #[serde(rename = "publicationDate", default)]
    publication_date: Option<String>,
    #[serde(default)]
    terms: GpTerms,
}

/// GetProducts terms: `OnDemand` is keyed directly by "<sku>.<offerTermCode>".
#[derive(Default, Deserialize)]
struct GpTerms {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, RawTerm>,
}

// ---------------------------------------------------------------------------------------------
// Visitors

/// A map key read without allocating, turned into `T` by a function of its text.
struct Name<T>(fn(&str) -> T);

impl<'de, T> DeserializeSeed<'de> for Name<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, T> Visitor<'de> for Name<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
}

#[derive(Clone, Copy)]
enum TopKey {
    OfferCode,
    PublicationDate,
    Products,
    Terms,
    PriceList,
    FormatVersion,
    Other,
}

fn top_key(name: &str) -> TopKey {
    match name {
        "offerCode" => TopKey::OfferCode,
        "publicationDate" => TopKey::PublicationDate,
        "products" => TopKey::Products,
        "terms" => TopKey::Terms,
        "PriceList" => TopKey::PriceList,
        "formatVersion" | "FormatVersion" => TopKey::FormatVersion,
        _ => TopKey::Other,
    }
}

/// The top-level object.
struct Top<'s, 'i, 'f>(&'s mut Json<'i, 'f>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an AWS Price List JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let json = self.0;
        while let Some(key) = map.next_key_seed(Name(top_key))? {
            match key {
                TopKey::OfferCode => {
                    json.imp.offer_code = map.next_value::<Option<String>>()?.unwrap_or_default();
                    json.recognized = true;
                }
                TopKey::PublicationDate => {
                    json.publication_date = map.next_value::<Option<String>>()?.unwrap_or_default();
                }
                TopKey::FormatVersion => {
                    map.next_value::<IgnoredAny>()?;
                    json.recognized = true;
                }
                TopKey::Products => {
                    json.recognized = true;
                    map.next_value_seed(Products(&mut *json))?;
                    json.products_done = true;
                    json.pending = HashMap::new();
                }
                TopKey::Terms => {
                    json.recognized = true;
                    map.next_value_seed(Terms(&mut *json))?;
                }
                TopKey::PriceList => {
                    json.saw_price_list = true;
                    map.next_value_seed(PriceList(&mut *json))?;
                }
                TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `products`: SKU → product.
struct Products<'s, 'i, 'f>(&'s mut Json<'i, 'f>);

impl<'de> DeserializeSeed<'de> for Products<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Products<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of products by SKU")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            let product: RawProduct = map.next_value()?;
            if let Err(problem) = self.0.on_product(product) {
                return Err(self.0.stop(problem));
            }
        }
        Ok(())
    }
}

/// `terms`: term type → …; only `OnDemand` is read.
struct Terms<'s, 'i, 'f>(&'s mut Json<'i, 'f>);

impl<'de> DeserializeSeed<'de> for Terms<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Terms<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of terms by term type (OnDemand, Reserved)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(on_demand) = map.next_key_seed(Name(|k| k == "OnDemand"))? {
            if on_demand {
                map.next_value_seed(OnDemand(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `terms.OnDemand`: SKU → offerTermCode key → term. Terms of SKUs that are not candidates
/// are skipped unread (unless products have not been seen yet).
struct OnDemand<'s, 'i, 'f>(&'s mut Json<'i, 'f>);

impl<'de> DeserializeSeed<'de> for OnDemand<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OnDemand<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of on-demand terms by SKU")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            let key = SkuKey {
                candidates: &self.0.candidates,
                keep_all: !self.0.products_done,
            };
            let Some(sku) = map.next_key_seed(key)? else {
                break;
            };
            match sku {
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(sku) => {
                    let terms: BTreeMap<String, RawTerm> = map.next_value()?;
                    if let Err(problem) = self.0.on_terms(sku, terms) {
                        return Err(self.0.stop(problem));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A SKU key of `terms.OnDemand`: `Some` when its terms are wanted.
struct SkuKey<'c> {
    candidates: &'c HashMap<String, Candidate>,
    keep_all: bool,
}

impl<'de> DeserializeSeed<'de> for SkuKey<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for SkuKey<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SKU")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok((self.keep_all || self.candidates.contains_key(v)).then(|| v.to_string()))
    }
}

/// GetProducts `PriceList`: an array of JSON strings (or decoded objects).
struct PriceList<'s, 'i, 'f>(&'s mut Json<'i, 'f>);

impl<'de> DeserializeSeed<'de> for PriceList<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PriceList<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of products (JSON strings)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(Element {
                json: &mut *self.0,
                index,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }
}

struct Element<'s, 'i, 'f> {
    json: &'s mut Json<'i, 'f>,
    index: usize,
}

impl Element<'_, '_, '_> {
    fn item<E: de::Error>(self, item: GpItem) -> Result<(), E> {
        match self.json.on_item(item) {
            Ok(()) => Ok(()),
            Err(problem) => Err(self.json.stop(problem)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Element<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Element<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a PriceList element: a product as a JSON string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match serde_json::from_str::<GpItem>(v) {
            Ok(item) => self.item(item),
            Err(e) => {
                let index = self.index;
                Err(self.json.stop(Problem {
                    message: format!("PriceList element {index} is not a product in JSON: {e}"),
                    help: "each PriceList element of a GetProducts response is a JSON string holding {\"product\":…,\"terms\":…}".to_string(),
                }))
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let item = GpItem::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.item(item)
    }
}
