"""GS1 EPCIS 2.0: validation (the GS1 JSON schema, offline), the CBV 2.0 event hash, mapping to SEF/1."""
