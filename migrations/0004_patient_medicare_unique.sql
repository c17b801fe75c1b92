-- A Medicare card number and individual reference number name one person, so two records
-- with the same pair are the same person enrolled twice (or a typing mistake). Family
-- members share a card number but have different reference numbers.
CREATE UNIQUE INDEX patients_medicare_unique ON patients (medicare_number, medicare_irn)
    WHERE medicare_number IS NOT NULL;
