"""The interface with BOSS: delivery naming and .verf files (delivery), parsing (parse), writing
(writer), the one generic loader of inbound deliveries (inbound) and the outbox (outbound)."""
