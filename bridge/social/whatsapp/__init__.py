"""WhatsApp Cloud API channel: webhooks of ``object == "whatsapp_business_account"``."""
