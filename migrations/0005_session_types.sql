-- Session lengths for the specialties whose usual visit is not a standard consult. The chat
-- books a specialty's own type when it has one (other than a "-first" variant, which staff
-- choose), else the generic type as long as the practitioner's usual visit.
INSERT INTO appointment_types (code, display_name, minutes, specialty) VALUES
    ('psychology', 'Psychology session', 50, 'psychologist'),
    ('counselling', 'Counselling session', 50, 'counsellor')
ON CONFLICT (code) DO NOTHING;
