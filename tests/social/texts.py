"""Customer texts every channel must carry byte for byte."""

NON_LATIN = [
    "مرحبا، أحتاج إلى مساعدة في طلبي",  # Arabic
    "Բարեւ, ինձ օգնություն է պետք",  # Armenian
    "สวัสดีครับ ต้องการความช่วยเหลือ",  # Thai
    "سلام، سفارش من کجاست؟",  # Persian
    "שלום, אני צריך עזרה",  # Hebrew
    "Thanks 👍🏽 👨‍👩‍👧 🇦🇲 e\u0301",  # emoji with modifier, ZWJ family, flag, combining accent
]
